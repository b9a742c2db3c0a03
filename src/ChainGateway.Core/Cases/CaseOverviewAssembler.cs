using ChainGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Core.Cases;

/// <summary>
/// Builds the case overview of one subject from the facts this node holds about it (sent and received signals,
/// already found by the subject's pairwise pseudonyms). Nothing else goes in: an organisation sees exactly what its
/// rules let it send or receive. A signal sent to several partners counts once.
/// </summary>
public sealed class CaseOverviewAssembler(string organisation, DateOnly today)
{
    private readonly HashSet<string> seenSources = new(StringComparer.Ordinal);

    /// <param name="facts">The subject's facts, any order.</param>
    /// <param name="isSubject">Whether a pseudonym (pairwise with the given partner) is this subject: for its role in a report.</param>
    public CaseOverview Build(IEnumerable<CaseFact> facts, Func<string, ReadOnlyMemory<byte>, bool> isSubject)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(isSubject);
        var overview = new CaseOverview();
        var measures = new Dictionary<string, MeasureFact>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        seenSources.Clear();
        (Google.Type.Date? Date, DateTimeOffset At) director = default, victim = default, risk = default;
        // In the order the senders made the signals, not the order they arrived: a correction delivered before what it
        // corrects (parallel deliveries, jittered retries) must still come last.
        foreach (var fact in facts.OrderBy(f => f.CreatedAt).ThenBy(f => f.At).ThenBy(f => f.MessageId))
        {
            var signal = SignalPayload.Parser.ParseFrom(fact.Payload).Signal;
            if (signal is null)
            {
                continue;
            }
            overview.Facts++;
            var source = Source(fact);
            CaseReference(overview, signal);
            switch (signal.KindCase)
            {
                case Signal.KindOneofCase.StalkingReported:
                    var report = signal.StalkingReported;
                    var role = report.Suspect is { } suspect && isSubject(fact.Partner, suspect.Pseudonym.Memory) ? "suspect" : "victim";
                    if (seen.Add($"report|{source.Organisation}|{report.CaseReference}|{role}|{report.ReportedOn}|{report.ReportKind}"))
                    {
                        overview.Reports.Add(new ReportFact { ReportKind = report.ReportKind, ReportedOn = report.ReportedOn, Role = role, Source = source });
                    }
                    break;
                case Signal.KindOneofCase.RiskAssessed:
                    var assessed = signal.RiskAssessed;
                    if (Later(assessed.AssessedOn, fact.CreatedAt, risk))
                    {
                        risk = (assessed.AssessedOn, fact.CreatedAt);
                        overview.LatestRisk = new RiskFact
                        {
                            Level = assessed.Level,
                            Instrument = assessed.Instrument,
                            AssessedOn = assessed.AssessedOn,
                            Source = source,
                        };
                        if (assessed.HasTrainedAssessor)
                        {
                            overview.LatestRisk.TrainedAssessor = assessed.TrainedAssessor;
                        }
                        overview.LatestRisk.Flags.AddRange(SignalQuality.Flags(signal));
                    }
                    break;
                case Signal.KindOneofCase.CaseDirectorAssigned:
                    var assigned = signal.CaseDirectorAssigned;
                    if (CurrentOrLater(assigned.FromDate, fact.CreatedAt, director))
                    {
                        director = (assigned.FromDate, fact.CreatedAt);
                        overview.CaseDirector = new CaseDirectorFact { Director = assigned.Director, FromDate = assigned.FromDate, Source = source };
                    }
                    break;
                case Signal.KindOneofCase.VictimContactAssigned:
                    var contact = signal.VictimContactAssigned;
                    if (CurrentOrLater(contact.FromDate, fact.CreatedAt, victim))
                    {
                        victim = (contact.FromDate, fact.CreatedAt);
                        overview.VictimContact = new VictimContactFact
                        {
                            Contact = contact.Contact,
                            FollowUp = contact.FollowUp,
                            FromDate = contact.FromDate,
                            Source = source,
                        };
                    }
                    break;
                case Signal.KindOneofCase.ProtectionMeasureImposed:
                    var imposed = signal.ProtectionMeasureImposed;
                    var measure = Measure(measures, imposed.MeasureId, source.Organisation);
                    Merge(measure, imposed);
                    AddSource(measure, source, $"imposed|{imposed.ValidTo}");
                    break;
                case Signal.KindOneofCase.MeasureNotSupervisable:
                    var refusal = signal.MeasureNotSupervisable;
                    // Probation answers the imposer: the imposer is whoever received it.
                    var notSupervisable = Measure(measures, refusal.MeasureId, fact.Direction == FactDirection.Received ? organisation : fact.Partner);
                    notSupervisable.Supervisability = Supervisability.NotSupervisable;
                    notSupervisable.NotSupervisableReason = refusal.Reason;
                    AddSource(notSupervisable, source, $"not-supervisable|{refusal.Reason}");
                    break;
                case Signal.KindOneofCase.MeasureExpiring:
                    var expiring = signal.MeasureExpiring;
                    var reminded = Measure(measures, expiring.MeasureId, source.Organisation);
                    if (reminded.Kind == MeasureKind.Unspecified)
                    {
                        reminded.Kind = expiring.Kind;
                    }
                    reminded.ValidTo ??= expiring.ExpiresOn;
                    AddSource(reminded, source, $"expiring|{expiring.ExpiresOn}|{expiring.DaysLeft}");
                    break;
                case Signal.KindOneofCase.ProximityAlert:
                    var alert = signal.ProximityAlert;
                    if (seen.Add($"alert|{alert.MeasureId}|{alert.DetectedAt}"))
                    {
                        overview.ProximityAlerts.Insert(0, new ProximityFact
                        {
                            MeasureId = alert.MeasureId,
                            DetectedAt = alert.DetectedAt,
                            Urgency = alert.Urgency,
                            Source = source,
                        });
                    }
                    if (alert.MeasureId.Length > 0 && measures.TryGetValue(alert.MeasureId, out var alerted))
                    {
                        AddSource(alerted, source, $"alert|{alert.DetectedAt}");
                    }
                    break;
                case Signal.KindOneofCase.CaseConferenceRequested:
                    var request = signal.CaseConferenceRequested;
                    if (request.RequestedDate is { } date && ToDate(date) >= today
                        && seen.Add($"conference|{source.Organisation}|{request.CaseReference}|{request.Forum}|{date}"))
                    {
                        overview.PendingConferences.Add(new ConferenceFact
                        {
                            Forum = request.Forum,
                            Reason = request.Reason,
                            RequestedDate = date,
                            Source = source,
                        });
                    }
                    break;
            }
        }
        // Newest first by when the monitor detected them (an alert may be sent or delivered well after it); alerts detected
        // at the same moment keep the newest-first order of the signals (the sort is stable).
        var alerts = overview.ProximityAlerts.OrderByDescending(a => a.DetectedAt?.ToDateTimeOffset() ?? DateTimeOffset.MinValue).ToList();
        overview.ProximityAlerts.Clear();
        overview.ProximityAlerts.AddRange(alerts);
        foreach (var measure in measures.Values.OrderBy(m => m.ValidTo is null ? DateOnly.MaxValue : ToDate(m.ValidTo)))
        {
            if (measure.ValidTo is { } end)
            {
                if (ToDate(end) < today)
                {
                    continue;
                }
                measure.DaysLeft = ToDate(end).DayNumber - today.DayNumber;
            }
            overview.MeasuresInForce.Add(measure);
        }
        return overview;
    }

    private FactSource Source(CaseFact fact) => new()
    {
        Organisation = fact.Direction == FactDirection.Sent ? organisation : fact.Partner,
        Direction = fact.Direction,
        Partner = fact.Partner,
        MessageId = fact.MessageId.ToString(),
        SignalType = fact.SignalType,
        Purpose = fact.Purpose,
        RuleId = fact.RuleId,
        At = Timestamp.FromDateTimeOffset(fact.At),
        CreatedAt = Timestamp.FromDateTimeOffset(fact.CreatedAt),
    };

    private static void CaseReference(CaseOverview overview, Signal signal)
    {
        var reference = signal.KindCase switch
        {
            Signal.KindOneofCase.StalkingReported => signal.StalkingReported.CaseReference,
            Signal.KindOneofCase.RiskAssessed => signal.RiskAssessed.CaseReference,
            Signal.KindOneofCase.CaseDirectorAssigned => signal.CaseDirectorAssigned.CaseReference,
            Signal.KindOneofCase.VictimContactAssigned => signal.VictimContactAssigned.CaseReference,
            Signal.KindOneofCase.ProtectionMeasureImposed => signal.ProtectionMeasureImposed.CaseReference,
            Signal.KindOneofCase.MeasureNotSupervisable => signal.MeasureNotSupervisable.CaseReference,
            Signal.KindOneofCase.MeasureExpiring => signal.MeasureExpiring.CaseReference,
            Signal.KindOneofCase.ProximityAlert => signal.ProximityAlert.CaseReference,
            Signal.KindOneofCase.CaseConferenceRequested => signal.CaseConferenceRequested.CaseReference,
            _ => string.Empty,
        };
        if (reference.Length > 0 && !overview.CaseReferences.Contains(reference))
        {
            overview.CaseReferences.Add(reference);
        }
    }

    private static MeasureFact Measure(Dictionary<string, MeasureFact> measures, string measureId, string imposedBy)
    {
        if (!measures.TryGetValue(measureId, out var measure))
        {
            measure = new MeasureFact { MeasureId = measureId, ImposedBy = imposedBy, Supervisability = Supervisability.Unknown };
            measures.Add(measureId, measure);
        }
        return measure;
    }

    // One Send carries one purpose, so the same measure may come again as a copy minimised for another rule (OM's copy
    // for cjib has no area and no supervision question). A field absent from a later signal says nothing: it does not
    // erase what an earlier one said; a field that is there corrects it. Probation's NOT_SUPERVISABLE answer stands.
    private static void Merge(MeasureFact measure, ProtectionMeasureImposed imposed)
    {
        if (imposed.Kind != MeasureKind.Unspecified)
        {
            measure.Kind = imposed.Kind;
        }
        if (imposed.AreaCode.Length > 0)
        {
            measure.AreaCode = imposed.AreaCode;
        }
        else if (imposed.Kind is not (MeasureKind.Unspecified or MeasureKind.LocationBan or MeasureKind.AreaBan))
        {
            // signals.proto: area_code is absent for the kinds without an area, so a correction to one drops it.
            measure.AreaCode = string.Empty;
        }
        measure.ValidFrom = imposed.ValidFrom ?? measure.ValidFrom;
        measure.ValidTo = imposed.ValidTo ?? measure.ValidTo;
        if (imposed.HasSupervisionFeasible && measure.Supervisability != Supervisability.NotSupervisable)
        {
            measure.Supervisability = imposed.SupervisionFeasible ? Supervisability.Feasible : Supervisability.NotFeasibleAtImposition;
        }
    }

    // One signal sent to several partners (or a reminder sent to each party of its rule) is one fact: sources are
    // kept once per what they say, by sending organisation and direction.
    private void AddSource(MeasureFact measure, FactSource source, string says)
    {
        if (seenSources.Add($"{measure.MeasureId}|{source.Organisation}|{source.Direction}|{says}"))
        {
            measure.Sources.Add(source);
        }
    }

    // The latest by date, then by when its sender made it.
    private static bool Later(Google.Type.Date? date, DateTimeOffset at, (Google.Type.Date? Date, DateTimeOffset At) current) =>
        current.At == default || Compare(date, current.Date) is > 0 || (Compare(date, current.Date) == 0 && at >= current.At);

    // An assignment that has started beats one that has not; among started ones the latest wins.
    private bool CurrentOrLater(Google.Type.Date? date, DateTimeOffset at, (Google.Type.Date? Date, DateTimeOffset At) current)
    {
        if (current.At == default)
        {
            return true;
        }
        var started = date is null || ToDate(date) <= today;
        var currentStarted = current.Date is null || ToDate(current.Date) <= today;
        return started != currentStarted ? started : Later(date, at, current);
    }

    private static int Compare(Google.Type.Date? a, Google.Type.Date? b) =>
        (a is null ? DateOnly.MinValue : ToDate(a)).CompareTo(b is null ? DateOnly.MinValue : ToDate(b));

    private static DateOnly ToDate(Google.Type.Date date) => new(date.Year, date.Month, date.Day);
}
