using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Signals;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using static ChainGateway.Core.Tests.Signals.ValidSignals;

namespace ChainGateway.Core.Tests.Signals;

public sealed class SignalValidatorTests
{
    [Fact]
    public void CompleteLocalSignalsOfEveryType_AreValid()
    {
        var types = new HashSet<string>();
        foreach (var signal in Local())
        {
            SignalValidator.ValidateLocal(signal, Now);
            types.Add(SignalTypes.Of(signal));
        }
        // Every case of the Signal oneof but MeasureExpiring, which only the node makes.
        Assert.Equal(Signal.Descriptor.Oneofs[0].Fields.Count - 1, types.Count);
        Assert.DoesNotContain(SignalTypes.MeasureExpiring, types);
    }

    // One failing input per validation rule: (what is wrong, the field path the error must name).
    private static readonly Dictionary<string, (Func<Signal> Make, string Field)> Violations = new()
    {
        ["no kind"] = (() => new Signal(), "signal"),
        ["report kind unspecified"] = (() => With(Report(), s => s.StalkingReported.ReportKind = ReportKind.Unspecified), "signal.stalking_reported.report_kind"),
        ["report date missing"] = (() => With(Report(), s => s.StalkingReported.ReportedOn = null), "signal.stalking_reported.reported_on"),
        ["report date not a calendar date"] = (() => With(Report(), s => s.StalkingReported.ReportedOn = new Google.Type.Date { Year = 2026, Month = 2, Day = 30 }), "signal.stalking_reported.reported_on"),
        ["report date in the future"] = (() => With(Report(), s => s.StalkingReported.ReportedOn = Day(1)), "signal.stalking_reported.reported_on"),
        ["suspect missing"] = (() => With(Report(), s => s.StalkingReported.Suspect = null), "signal.stalking_reported.suspect"),
        ["victim bsn fails the 11-check"] = (() => With(Report(), s => s.StalkingReported.Victim = new SubjectRef { Bsn = "123456789" }), "signal.stalking_reported.victim.bsn"),
        ["victim given as pseudonym"] = (() => With(Report(), s => s.StalkingReported.Victim = new SubjectRef { Pseudonym = ByteString.CopyFrom(new byte[32]) }), "signal.stalking_reported.victim"),
        ["case reference with free text"] = (() => With(Report(), s => s.StalkingReported.CaseReference = "slaat haar"), "signal.stalking_reported.case_reference"),
        ["case reference too long"] = (() => With(Report(), s => s.StalkingReported.CaseReference = new string('A', 33)), "signal.stalking_reported.case_reference"),
        ["case reference empty"] = (() => With(Report(), s => s.StalkingReported.CaseReference = ""), "signal.stalking_reported.case_reference"),
        ["instrument unspecified"] = (() => With(Risk(), s => s.RiskAssessed.Instrument = RiskInstrument.Unspecified), "signal.risk_assessed.instrument"),
        ["level unspecified"] = (() => With(Risk(), s => s.RiskAssessed.Level = RiskLevel.Unspecified), "signal.risk_assessed.level"),
        ["assessed on missing"] = (() => With(Risk(), s => s.RiskAssessed.AssessedOn = null), "signal.risk_assessed.assessed_on"),
        ["assessed on year 1800"] = (() => With(Risk(), s => s.RiskAssessed.AssessedOn = new Google.Type.Date { Year = 1800, Month = 1, Day = 1 }), "signal.risk_assessed.assessed_on"),
        ["trained assessor not stated"] = (() => With(Risk(), s => s.RiskAssessed.ClearTrainedAssessor()), "signal.risk_assessed.trained_assessor"),
        ["risk subject missing"] = (() => With(Risk(), s => s.RiskAssessed.Subject = null), "signal.risk_assessed.subject"),
        ["risk subject local id with spaces"] = (() => With(Risk(), s => s.RiskAssessed.Subject = new SubjectRef { LocalId = "with spaces" }), "signal.risk_assessed.subject.local_id"),
        ["director subject missing"] = (() => With(Director(), s => s.CaseDirectorAssigned.Subject = null), "signal.case_director_assigned.subject"),
        ["director case reference missing"] = (() => With(Director(), s => s.CaseDirectorAssigned.CaseReference = ""), "signal.case_director_assigned.case_reference"),
        ["director missing"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director = null), "signal.case_director_assigned.director"),
        ["director organisation missing"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.Organisation = ""), "signal.case_director_assigned.director.organisation"),
        ["director organisation with capitals"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.Organisation = "Politie"), "signal.case_director_assigned.director.organisation"),
        ["director function free text"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.Function = "de wijkagent van mevrouw"), "signal.case_director_assigned.director.function"),
        ["director phone not international"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.WorkPhone = "0887000000"), "signal.case_director_assigned.director.work_phone"),
        ["director e-mail not an address"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.WorkEmail = "bel maar"), "signal.case_director_assigned.director.work_email"),
        ["director e-mail too long"] = (() => With(Director(), s => s.CaseDirectorAssigned.Director.WorkEmail = new string('a', 60) + "@" + new string('b', 40) + ".nl"), "signal.case_director_assigned.director.work_email"),
        ["director unreachable"] = (() => With(Director(), s => { s.CaseDirectorAssigned.Director.WorkPhone = ""; s.CaseDirectorAssigned.Director.WorkEmail = ""; }), "signal.case_director_assigned.director.work_phone"),
        ["director from date missing"] = (() => With(Director(), s => s.CaseDirectorAssigned.FromDate = null), "signal.case_director_assigned.from_date"),
        ["director from date over a year ahead"] = (() => With(Director(), s => s.CaseDirectorAssigned.FromDate = Day(366)), "signal.case_director_assigned.from_date"),
        ["victim contact subject missing"] = (() => With(VictimContact(), s => s.VictimContactAssigned.Subject = null), "signal.victim_contact_assigned.subject"),
        ["victim contact case reference bad"] = (() => With(VictimContact(), s => s.VictimContactAssigned.CaseReference = "PL 1"), "signal.victim_contact_assigned.case_reference"),
        ["victim contact missing"] = (() => With(VictimContact(), s => s.VictimContactAssigned.Contact = null), "signal.victim_contact_assigned.contact"),
        ["follow-up missing"] = (() => With(VictimContact(), s => s.VictimContactAssigned.FollowUp = null), "signal.victim_contact_assigned.follow_up"),
        ["follow-up interval zero"] = (() => With(VictimContact(), s => s.VictimContactAssigned.FollowUp.IntervalDays = 0), "signal.victim_contact_assigned.follow_up.interval_days"),
        ["follow-up interval over 90"] = (() => With(VictimContact(), s => s.VictimContactAssigned.FollowUp.IntervalDays = 91), "signal.victim_contact_assigned.follow_up.interval_days"),
        ["follow-up channel unspecified"] = (() => With(VictimContact(), s => s.VictimContactAssigned.FollowUp.Channel = ContactChannel.Unspecified), "signal.victim_contact_assigned.follow_up.channel"),
        ["victim contact from date missing"] = (() => With(VictimContact(), s => s.VictimContactAssigned.FromDate = null), "signal.victim_contact_assigned.from_date"),
        ["measure subject missing"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.Subject = null), "signal.protection_measure_imposed.subject"),
        ["protected person bsn bad"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.ProtectedPerson = new SubjectRef { Bsn = "999999999" }), "signal.protection_measure_imposed.protected_person.bsn"),
        ["measure case reference missing"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.CaseReference = ""), "signal.protection_measure_imposed.case_reference"),
        ["measure id missing"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.MeasureId = ""), "signal.protection_measure_imposed.measure_id"),
        ["measure id with slash"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.MeasureId = "GA/77"), "signal.protection_measure_imposed.measure_id"),
        ["measure kind unspecified"] = (() => With(Measure(), s => { s.ProtectionMeasureImposed.Kind = MeasureKind.Unspecified; s.ProtectionMeasureImposed.AreaCode = ""; }), "signal.protection_measure_imposed.kind"),
        ["location ban without area"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.AreaCode = ""), "signal.protection_measure_imposed.area_code"),
        ["area code free text"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.AreaCode = "rond de school van de kinderen"), "signal.protection_measure_imposed.area_code"),
        ["contact ban with area"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.Kind = MeasureKind.ContactBan), "signal.protection_measure_imposed.area_code"),
        ["valid from missing"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.ValidFrom = null), "signal.protection_measure_imposed.valid_from"),
        ["valid to missing"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.ValidTo = null), "signal.protection_measure_imposed.valid_to"),
        ["valid to before valid from"] = (() => With(Measure(), s => { s.ProtectionMeasureImposed.ValidFrom = Day(10); s.ProtectionMeasureImposed.ValidTo = Day(5); }), "signal.protection_measure_imposed.valid_to"),
        ["valid over ten years"] = (() => With(Measure(), s => { s.ProtectionMeasureImposed.ValidFrom = Day(-30); s.ProtectionMeasureImposed.ValidTo = Day(3700); }), "signal.protection_measure_imposed.valid_to"),
        ["measure already ended"] = (() => With(Measure(), s => { s.ProtectionMeasureImposed.ValidFrom = Day(-30); s.ProtectionMeasureImposed.ValidTo = Day(-1); }), "signal.protection_measure_imposed.valid_to"),
        ["supervision feasibility not stated"] = (() => With(Measure(), s => s.ProtectionMeasureImposed.ClearSupervisionFeasible()), "signal.protection_measure_imposed.supervision_feasible"),
        ["not-supervisable subject missing"] = (() => With(NotSupervisable(), s => s.MeasureNotSupervisable.Subject = null), "signal.measure_not_supervisable.subject"),
        ["not-supervisable case reference missing"] = (() => With(NotSupervisable(), s => s.MeasureNotSupervisable.CaseReference = ""), "signal.measure_not_supervisable.case_reference"),
        ["not-supervisable measure id missing"] = (() => With(NotSupervisable(), s => s.MeasureNotSupervisable.MeasureId = ""), "signal.measure_not_supervisable.measure_id"),
        ["not-supervisable reason unspecified"] = (() => With(NotSupervisable(), s => s.MeasureNotSupervisable.Reason = NotSupervisableReason.Unspecified), "signal.measure_not_supervisable.reason"),
        ["measure expiring through the local API"] = (() => new Signal { MeasureExpiring = new MeasureExpiring { MeasureId = "GA-1" } }, "signal.measure_expiring"),
        ["alert subject missing"] = (() => With(Alert(), s => s.ProximityAlert.Subject = null), "signal.proximity_alert.subject"),
        ["alert case reference missing"] = (() => With(Alert(), s => s.ProximityAlert.CaseReference = ""), "signal.proximity_alert.case_reference"),
        ["alert measure id missing"] = (() => With(Alert(), s => s.ProximityAlert.MeasureId = ""), "signal.proximity_alert.measure_id"),
        ["alert time missing"] = (() => With(Alert(), s => s.ProximityAlert.DetectedAt = null), "signal.proximity_alert.detected_at"),
        ["alert time invalid"] = (() => With(Alert(), s => s.ProximityAlert.DetectedAt = new Timestamp { Seconds = 1, Nanos = -5 }), "signal.proximity_alert.detected_at"),
        ["alert time in the future"] = (() => With(Alert(), s => s.ProximityAlert.DetectedAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(10))), "signal.proximity_alert.detected_at"),
        ["alert time over a day old"] = (() => With(Alert(), s => s.ProximityAlert.DetectedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-25))), "signal.proximity_alert.detected_at"),
        ["alert urgency unspecified"] = (() => With(Alert(), s => s.ProximityAlert.Urgency = Urgency.Unspecified), "signal.proximity_alert.urgency"),
        ["conference subject missing"] = (() => With(Conference(), s => s.CaseConferenceRequested.Subject = null), "signal.case_conference_requested.subject"),
        ["conference case reference missing"] = (() => With(Conference(), s => s.CaseConferenceRequested.CaseReference = ""), "signal.case_conference_requested.case_reference"),
        ["conference forum unspecified"] = (() => With(Conference(), s => s.CaseConferenceRequested.Forum = Forum.Unspecified), "signal.case_conference_requested.forum"),
        ["conference reason unspecified"] = (() => With(Conference(), s => s.CaseConferenceRequested.Reason = ConferenceReason.Unspecified), "signal.case_conference_requested.reason"),
        ["conference date missing"] = (() => With(Conference(), s => s.CaseConferenceRequested.RequestedDate = null), "signal.case_conference_requested.requested_date"),
        ["conference date in the past"] = (() => With(Conference(), s => s.CaseConferenceRequested.RequestedDate = Day(-1)), "signal.case_conference_requested.requested_date"),
        ["conference date over 90 days ahead"] = (() => With(Conference(), s => s.CaseConferenceRequested.RequestedDate = Day(91)), "signal.case_conference_requested.requested_date"),
    };

    public static TheoryData<string> ViolationNames() => [.. Violations.Keys];

    [Theory]
    [MemberData(nameof(ViolationNames))]
    public void EachLocalRule_RejectsItsFailingInput_NamingTheField(string violation)
    {
        var (make, field) = Violations[violation];
        var error = Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateLocal(make(), Now));
        Assert.Equal(ReasonCode.Malformed, error.Reason);
        Assert.Equal(field, error.FieldPath);
    }

    [Fact]
    public void AnEnumValueTheProtoDoesNotName_IsMalformed()
    {
        // Proto3 enums are open: every enum field of every signal type, set to a number no version names (the wire: RejectionTests).
        var checkedFields = 0;
        foreach (var signal in Local())
        {
            var kind = (IMessage)Signal.Descriptor.FindFieldByNumber((int)signal.KindCase).Accessor.GetValue(signal);
            foreach (var field in kind.Descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == Google.Protobuf.Reflection.FieldType.Enum))
            {
                var bad = signal.Clone();
                field.Accessor.SetValue((IMessage)Signal.Descriptor.FindFieldByNumber((int)bad.KindCase).Accessor.GetValue(bad), 99);
                var refusal = Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateLocal(bad, Now));
                Assert.Equal(ReasonCode.Malformed, refusal.Reason);
                Assert.EndsWith("." + field.Name, refusal.FieldPath, StringComparison.Ordinal);
                checkedFields++;
            }
        }
        Assert.True(checkedFields >= 8, $"{checkedFields} enum fields checked");
    }

    [Fact]
    public void WireSignal_MayBeMinimised_ButSubjectsMustBe32BytePseudonyms()
    {
        var minimised = new Signal { RiskAssessed = new RiskAssessed { Level = RiskLevel.High, Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(new byte[32]) } } };
        SignalValidator.ValidateWire(minimised, Now);

        var shortPseudonym = With(minimised, s => s.RiskAssessed.Subject.Pseudonym = ByteString.CopyFrom(new byte[31]));
        Assert.Equal("signal.risk_assessed.subject.pseudonym", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(shortPseudonym, Now)).FieldPath);

        var bsnOnTheWire = With(minimised, s => s.RiskAssessed.Subject = new SubjectRef { Bsn = "123456782" });
        Assert.Equal("signal.risk_assessed.subject", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(bsnOnTheWire, Now)).FieldPath);
    }

    [Fact]
    public void WireSignal_PresentFieldsAreStillChecked_DatesInOrderAndCodesShort()
    {
        var reversed = new Signal
        {
            ProtectionMeasureImposed = new ProtectionMeasureImposed { ValidFrom = Day(10), ValidTo = Day(5) },
        };
        Assert.Equal("signal.protection_measure_imposed.valid_to", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(reversed, Now)).FieldPath);

        var reminder = new Signal { MeasureExpiring = new MeasureExpiring { MeasureId = "GA-1", ExpiresOn = Day(3), DaysLeft = 3 } };
        SignalValidator.ValidateWire(reminder, Now);
        reminder.MeasureExpiring.DaysLeft = 400;
        Assert.Equal("signal.measure_expiring.days_left", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(reminder, Now)).FieldPath);

        var oldAlertOnTheWire = new Signal { ProximityAlert = new ProximityAlert { DetectedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-3)) } };
        SignalValidator.ValidateWire(oldAlertOnTheWire, Now); // late delivery of an old alert is still a valid fact
    }

    private static Signal With(Signal signal, Action<Signal> change)
    {
        change(signal);
        return signal;
    }
}
