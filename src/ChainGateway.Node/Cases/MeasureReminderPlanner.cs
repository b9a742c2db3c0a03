using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Rules;
using ChainGateway.Core.Signals;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Local;
using Google.Protobuf;

namespace ChainGateway.Node.Cases;

/// <summary>
/// When this node imposes a protection measure, it plans the MeasureExpiring reminders its agreement provides for
/// (gap 5: extensions of behavioural orders forgotten): for every rule from this organisation for MeasureExpiring,
/// every recipient of that rule that also received the measure itself (and this organisation, when the rule names it)
/// and every configured lead time, one reminder due at 00:00 UTC on the day that many days before the measure's last
/// day. One per purpose: of two rules for one recipient and purpose only the first counts, as for any exchange (the
/// receiver resolves a purpose to its first rule and refuses an envelope naming another). A partner the measure was not sent to gets no reminder of it: the reminder would tell it of a measure, its
/// subject and case that the case worker chose not to share with it (DESIGN.md §5, purpose binding). Lead times already
/// past when the measure is imposed are skipped. Each reminder is minimised by its rule and pseudonymised for its
/// recipient now, so the identifier is not kept.
/// </summary>
internal static class MeasureReminderPlanner
{
    /// <summary>The measure's last day: its reminders of any other day are superseded when it is sent.</summary>
    public static MeasureEnd EndOf(ProtectionMeasureImposed measure) =>
        new(measure.MeasureId, new DateOnly(measure.ValidTo.Year, measure.ValidTo.Month, measure.ValidTo.Day));

    /// <param name="sentTo">The partners the measure itself goes to in this Send.</param>
    public static IReadOnlyList<MeasureReminder> Plan(NodeContext node, ProtectionMeasureImposed measure, IReadOnlyCollection<string> sentTo, DateTimeOffset now)
    {
        var end = new DateOnly(measure.ValidTo.Year, measure.ValidTo.Month, measure.ValidTo.Day);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var leads = node.Configuration.MeasureReminders.LeadDays.Distinct().Order().ToArray();
        var reminders = new List<MeasureReminder>();
        var planned = new HashSet<(string Recipient, string Purpose)>();
        foreach (var rule in node.Agreement.Rules.Where(r => r.From.Contains(node.Organisation) && r.SignalTypes.Contains(SignalTypes.MeasureExpiring)))
        {
            foreach (var recipient in rule.To)
            {
                if ((recipient != node.Organisation && !sentTo.Contains(recipient)) || !node.TrustList.TryGet(recipient, out var partner)
                    || !planned.Add((recipient, rule.Purpose)))
                {
                    continue;
                }
                foreach (var lead in leads)
                {
                    var due = end.AddDays(-lead);
                    if (due < today)
                    {
                        continue;
                    }
                    var signal = new Signal
                    {
                        MeasureExpiring = new MeasureExpiring
                        {
                            Subject = measure.Subject,
                            CaseReference = measure.CaseReference,
                            MeasureId = measure.MeasureId,
                            Kind = measure.Kind,
                            ExpiresOn = measure.ValidTo,
                            DaysLeft = (uint)lead,
                        },
                    };
                    var forRecipient = SubjectPseudonymiser.ForRecipient(FieldMinimiser.Minimise(signal, rule.AllowedFields), node.PseudonymKeys.Current(now), partner, now);
                    reminders.Add(new MeasureReminder(measure.MeasureId, end, recipient, lead,
                        new DateTimeOffset(due.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), rule.Purpose, rule.Id, forRecipient.ToByteArray()));
                }
            }
        }
        return reminders;
    }
}
