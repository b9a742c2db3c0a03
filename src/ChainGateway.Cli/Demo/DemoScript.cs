using ChainGateway.Cli.Commands;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;

namespace ChainGateway.Cli.Demo;

/// <summary>
/// The scripted exchange of the demo: a stalking case through police, Veilig Thuis, OM and probation, with
/// the refusals a security reviewer wants to see (no rule, a failed condition, wrong role, a field the rule
/// does not allow, a tampered envelope) and a duplicate answered with its original receipt.
/// </summary>
internal sealed partial class DemoScript : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);
    private readonly string certsDirectory;
    private readonly Dictionary<string, LocalApi> apis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DemoSubscriber> subscribers = new(StringComparer.Ordinal);
    private int step;
    private int passed;

    public DemoScript(string certsDirectory, IEnumerable<NodeProcess> nodes)
    {
        this.certsDirectory = certsDirectory;
        foreach (var node in nodes)
        {
            var api = new LocalApi(node.Configuration);
            apis[node.Organisation] = api;
            subscribers[node.Organisation] = new DemoSubscriber(api);
        }
    }

    public async Task<(int Passed, int Total)> RunAsync(CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine("[bold]demo: a stalking case through the chain[/]");
        await Step("politie reports stalking to Veilig Thuis and OM (risk-assessment)", "delivered",
            () => SendAndConfirmAsync("politie", ["veilig-thuis", "om"], "risk-assessment", DemoSignals.StalkingReported())).ConfigureAwait(false);
        await Step("Veilig Thuis shares a SASH screening (high, trained assessor) with politie and OM", "delivered",
            () => SendAndConfirmAsync("veilig-thuis", ["politie", "om"], "risk-assessment", DemoSignals.RiskAssessed(RiskLevel.High))).ConfigureAwait(false);
        await Step("politie tells reclassering the risk is high (protection-order-enforcement; minimised to level, subject, case)", "delivered",
            () => SendAndConfirmAsync("politie", ["reclassering"], "protection-order-enforcement", DemoSignals.RiskAssessed(RiskLevel.High),
                received => received.Signal.RiskAssessed.Instrument == RiskInstrument.Unspecified && received.Signal.RiskAssessed.AssessedOn is null
                    ? null : "reclassering received fields its rule does not allow")).ConfigureAwait(false);
        await Step("politie assigns a case director (casusregisseur) and tells the chain (case-direction)", "delivered",
            () => SendAndConfirmAsync("politie", ["om", "veilig-thuis", "reclassering", "raad-kinderbescherming", "zorg-veiligheidshuis"],
                "case-direction", DemoSignals.CaseDirectorAssigned())).ConfigureAwait(false);
        await Step("OM gives the victim a fixed contact point, follow-up every 14 days by phone (victim-contact)", "delivered",
            () => SendAndConfirmAsync("om", ["politie", "slachtofferhulp", "cjib", "veilig-thuis"], "victim-contact",
                DemoSignals.VictimContactAssigned())).ConfigureAwait(false);
        await Step("OM imposes a contact ban, 14 days, on the suspect → politie, reclassering", "delivered",
            () => SendAndConfirmAsync("om", ["politie", "reclassering"], "protection-order-enforcement",
                DemoSignals.Measure(DemoSignals.ContactBan, MeasureKind.ContactBan, 14))).ConfigureAwait(false);
        await Step("OM imposes a location ban (the victim's home), 90 days → politie, reclassering", "delivered",
            () => SendAndConfirmAsync("om", ["politie", "reclassering"], "protection-order-enforcement",
                DemoSignals.Measure(DemoSignals.LocationBan, MeasureKind.LocationBan, 90))).ConfigureAwait(false);
        await Step("OM tells CJIB which order protects the victim (victim-contact; minimised: no suspect, no area)", "delivered",
            () => SendAndConfirmAsync("om", ["cjib"], "victim-contact", DemoSignals.Measure(DemoSignals.LocationBan, MeasureKind.LocationBan, 90),
                received => received.Signal.ProtectionMeasureImposed is { Subject: null, AreaCode: "" } ? null : "cjib received the suspect or the area"))
            .ConfigureAwait(false);
        await Step("reclassering answers: the location ban cannot be supervised (no electronic monitoring) → OM", "delivered",
            () => SendAndConfirmAsync("reclassering", ["om"], "protection-order-enforcement", DemoSignals.NotSupervisable(DemoSignals.LocationBan)))
            .ConfigureAwait(false);
        await Step("the contact ban ends in 14 days: OM's node sends MeasureExpiring itself → politie, reclassering, OM", "reminded",
            () => ReminderArrivedAsync(["politie", "reclassering", "om"])).ConfigureAwait(false);
        await Step("the ankle monitor comes near the victim: an urgent ProximityAlert reclassering → politie", "delivered",
            () => SendAndConfirmAsync("reclassering", ["politie"], "protection-order-enforcement", DemoSignals.ProximityAlert(DemoSignals.LocationBan),
                priority: Priority.Urgent)).ConfigureAwait(false);
        await Step("politie asks the Veiligheid Voorop partners for an Actieoverleg (case-conference)", "delivered",
            () => SendAndConfirmAsync("politie", ["om", "reclassering", "raad-kinderbescherming", "veilig-thuis"], "case-conference",
                DemoSignals.CaseConferenceRequested())).ConfigureAwait(false);
        await Step("om registers the suspect in its subject index, with its contact point (the officier van justitie)", "registered",
            RegisterSuspectAtOmAsync).ConfigureAwait(false);
        await Step("politie asks om whether it knows the suspect (SubjectKnown, case-direction; only a pairwise pseudonym leaves politie)", "hit",
            () => MatchAsync("politie", "om", "case-direction", DemoSignals.Suspect)).ConfigureAwait(false);
        await Step("politie asks om about a person om does not know", "no hit",
            () => MatchAsync("politie", "om", "case-direction", new SubjectRef { Bsn = DemoSignals.UnknownBsn })).ConfigureAwait(false);
        await Step("slachtofferhulp asks veilig-thuis whether it knows the victim (no SubjectKnown rule between them)", "RULE_DENIED",
            () => MatchAsync("slachtofferhulp", "veilig-thuis", "victim-contact", DemoSignals.Victim)).ConfigureAwait(false);
        await Step("CJIB tries to send a ProximityAlert to politie (a signal its rules do not allow)", "RULE_DENIED",
            () => SendExpectingRefusalAsync("cjib", LocalUser.Caseworker, ["politie"], "protection-order-enforcement",
                DemoSignals.ProximityAlert(DemoSignals.LocationBan))).ConfigureAwait(false);
        await Step("politie tries to tell reclassering about a MEDIUM risk (rule condition: at least high)", "RULE_DENIED",
            () => SendExpectingRefusalAsync("politie", LocalUser.Caseworker, ["reclassering"], "protection-order-enforcement", DemoSignals.RiskAssessed(RiskLevel.Medium))).ConfigureAwait(false);
        await Step("a politie privacy officer tries to send a signal (wrong role)", "ROLE_REQUIRED",
            () => SendExpectingRefusalAsync("politie", LocalUser.PrivacyOfficer, ["om"], "risk-assessment", DemoSignals.StalkingReported())).ConfigureAwait(false);
        await Step("a hand-built envelope from politie carries 'trained_assessor' to reclassering (a field its rule does not allow)", "FIELD_NOT_ALLOWED",
            () => DeliverHandBuiltAsync(tamper: false, withDisallowedField: true)).ConfigureAwait(false);
        await Step("an envelope from politie with one ciphertext byte flipped (rejected before decryption)", "BAD_SIGNATURE",
            () => DeliverHandBuiltAsync(tamper: true, withDisallowedField: false)).ConfigureAwait(false);
        await Step("the same envelope delivered twice (exactly-once: the original receipt)", "original receipt",
            DeliverTwiceAsync).ConfigureAwait(false);
        var overviews = new DemoOverview(apis);
        await Step("each organisation's case overview holds exactly what its rules let it receive", "consistent",
            () => overviews.CheckAsync(cancellationToken)).ConfigureAwait(false);
        await overviews.PrintAsync(cancellationToken).ConfigureAwait(false);
        return (passed, step);
    }

    private async Task<string> RegisterSuspectAtOmAsync()
    {
        var api = apis["om"];
        var request = new RegisterSubjectsRequest();
        request.Subjects.Add(new SubjectRegistration
        {
            Subject = DemoSignals.Suspect,
            Contact = new ContactPoint { Function = "officier-van-justitie", WorkPhone = "+31887009999", WorkEmail = "stalking.oost@om.example" },
        });
        var response = await api.Client.RegisterSubjectsAsync(request, api.Headers).ConfigureAwait(false);
        return $"registered {response.Registered} (and linked {response.LinkedSignals} signals om had already received about him)";
    }

    private async Task<string> MatchAsync(string from, string to, string purpose, SubjectRef subject)
    {
        var api = apis[from];
        var request = new MatchRequest { Subject = subject, Purpose = purpose, Partners = { to } };
        try
        {
            var result = (await api.Client.MatchAsync(request, api.Headers).ConfigureAwait(false)).Results.Single();
            return result.Hit
                ? $"hit at {result.Partner}: {result.Contact.Organisation}/{result.Contact.Function} {result.Contact.WorkPhone} {result.Contact.WorkEmail} (rule {result.RuleId}, signed answer)"
                : $"no hit at {result.Partner} (rule {result.RuleId}, signed answer)";
        }
        catch (RpcException e)
        {
            return ErrorMapping.ReasonOf(e) is { } reason ? $"{Core.Errors.ReasonCodes.ToWire(reason)} ({e.Status.Detail})" : e.Status.ToString();
        }
    }

    private async Task<string> ReminderArrivedAsync(string[] recipients)
    {
        var details = new List<string>();
        foreach (var recipient in recipients)
        {
            var reminder = await subscribers[recipient].WaitForAsync(
                s => s.Signal.MeasureExpiring is { MeasureId: DemoSignals.ContactBan, DaysLeft: 14 }, StepTimeout).ConfigureAwait(false);
            details.Add($"{recipient} ({reminder.Signal.MeasureExpiring.DaysLeft} days left, rule {reminder.RuleId})");
        }
        return "reminded " + string.Join(", ", details);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscriber in subscribers.Values)
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var api in apis.Values)
        {
            api.Dispose();
        }
    }

    private async Task Step(string title, string expected, Func<Task<string>> run)
    {
        step++;
        string actual;
        try
        {
            actual = await run().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed step is reported and the script goes on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            actual = $"error: {e.GetType().Name}: {e.Message}";
        }
        var ok = actual == expected || actual.StartsWith(expected + " ", StringComparison.Ordinal);
        if (ok)
        {
            passed++;
        }
        AnsiConsole.MarkupLine($"{(ok ? "[green]  ok [/]" : "[red]FAIL[/]")} {step,2}. {Markup.Escape(title)} → {Markup.Escape(actual)}{(ok ? string.Empty : $" (expected {Markup.Escape(expected)})")}");
    }

    private async Task<string> SendAndConfirmAsync(string from, string[] to, string purpose, Signal signal, Func<ReceivedSignal, string?>? check = null,
        Priority priority = Priority.Routine)
    {
        var api = apis[from];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var request = new SendRequest { Purpose = purpose, Signal = signal, Priority = priority };
        request.Recipients.AddRange(to);
        var response = await api.Client.SendAsync(request, api.Headers).ConfigureAwait(false);
        var details = new List<string>();
        foreach (var sent in response.Envelopes)
        {
            var received = await subscribers[sent.Recipient].WaitForAsync(sent.MessageId, StepTimeout).ConfigureAwait(false);
            var problem = check?.Invoke(received);
            if (problem is not null)
            {
                return problem;
            }
            var arrivedAfter = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            await WaitDeliveredAsync(api, sent.MessageId).ConfigureAwait(false);
            var subject = Core.Signals.SignalSubjects.Pseudonyms(received.Signal).Select(p => Convert.ToHexStringLower(p.Pseudonym)[..12] + "…").FirstOrDefault();
            var flags = received.QualityFlags.Count == 0 ? string.Empty : ", flagged " + string.Join(",", received.QualityFlags);
            var latency = priority == Priority.Urgent ? $", in the case system after {arrivedAfter.TotalMilliseconds:F0} ms" : string.Empty;
            details.Add($"{sent.Recipient} (rule {sent.RuleId}, subject {subject}, signed receipt{flags}{latency})");
        }
        return "delivered to " + string.Join(", ", details);
    }

    private static async Task<DeliveryStatusResponse> WaitDeliveredAsync(LocalApi api, string messageId)
    {
        var status = await api.Client.GetDeliveryStatusAsync(
            new DeliveryStatusRequest { MessageId = messageId, WaitSeconds = (uint)StepTimeout.TotalSeconds }, api.Headers).ConfigureAwait(false);
        return status.State == DeliveryState.Delivered
            ? status
            : throw new InvalidOperationException($"{messageId} is {status.State}: {status.LastError}");
    }

    private async Task<string> SendExpectingRefusalAsync(string from, string role, string[] to, string purpose, Signal signal)
    {
        using var api = new LocalApi(NodeConfiguration.Load(Path.Combine(certsDirectory, from)), role);
        var request = new SendRequest { Purpose = purpose, Signal = signal };
        request.Recipients.AddRange(to);
        try
        {
            await api.Client.SendAsync(request, api.Headers).ConfigureAwait(false);
            return "sent (not refused)";
        }
        catch (RpcException e)
        {
            return ErrorMapping.ReasonOf(e) is { } reason ? $"{Core.Errors.ReasonCodes.ToWire(reason)} ({e.Status.Detail})" : e.Status.ToString();
        }
    }
}
