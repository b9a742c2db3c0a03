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
internal sealed class DemoScript : IAsyncDisposable
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
        await Step("politie tells reclassering the risk is acute (protection-order-enforcement; minimised to level, subject, case)", "delivered",
            () => SendAndConfirmAsync("politie", ["reclassering"], "protection-order-enforcement", DemoSignals.RiskAssessed(RiskLevel.Acute),
                received => received.Signal.RiskAssessed.Instrument == RiskInstrument.Unspecified && received.Signal.RiskAssessed.AssessedOn is null
                    ? null : "reclassering received fields its rule does not allow")).ConfigureAwait(false);
        await Step("politie tries to tell reclassering about a MEDIUM risk (rule condition: at least high)", "RULE_DENIED",
            () => SendExpectingRefusalAsync("politie", LocalUser.Caseworker, ["reclassering"], "protection-order-enforcement", DemoSignals.RiskAssessed(RiskLevel.Medium))).ConfigureAwait(false);
        await Step("reclassering tries to report stalking to politie (no rule)", "RULE_DENIED",
            () => SendExpectingRefusalAsync("reclassering", LocalUser.Caseworker, ["politie"], "risk-assessment", DemoSignals.StalkingReported())).ConfigureAwait(false);
        await Step("a politie privacy officer tries to send a signal (wrong role)", "ROLE_REQUIRED",
            () => SendExpectingRefusalAsync("politie", LocalUser.PrivacyOfficer, ["om"], "risk-assessment", DemoSignals.StalkingReported())).ConfigureAwait(false);
        await Step("a hand-built envelope from politie carries 'trained_assessor' to reclassering (field not allowed)", "FIELD_NOT_ALLOWED",
            () => DeliverHandBuiltAsync(tamper: false, withDisallowedField: true)).ConfigureAwait(false);
        await Step("an envelope from politie with one ciphertext byte flipped (rejected before decryption)", "BAD_SIGNATURE",
            () => DeliverHandBuiltAsync(tamper: true, withDisallowedField: false)).ConfigureAwait(false);
        await Step("the same envelope delivered twice (exactly-once: the original receipt)", "original receipt",
            DeliverTwiceAsync).ConfigureAwait(false);
        return (passed, step);
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

    private async Task<string> SendAndConfirmAsync(string from, string[] to, string purpose, Signal signal, Func<ReceivedSignal, string?>? check = null)
    {
        var api = apis[from];
        var request = new SendRequest { Purpose = purpose, Signal = signal, Priority = Priority.Routine };
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
            await WaitDeliveredAsync(api, sent.MessageId).ConfigureAwait(false);
            var subject = received.Signal.RiskAssessed?.Subject ?? received.Signal.StalkingReported?.Suspect;
            details.Add($"{sent.Recipient} (rule {sent.RuleId}, subject {Convert.ToHexStringLower(subject!.Pseudonym.Span)[..12]}…, signed receipt)");
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

    /// <summary>Acts as a misbehaving politie node: builds an envelope by hand and delivers it straight to reclassering's peer endpoint.</summary>
    private async Task<string> DeliverHandBuiltAsync(bool tamper, bool withDisallowedField)
    {
        using var politie = NodeContext.Load(NodeConfiguration.Load(Path.Combine(certsDirectory, "politie")), TimeProvider.System);
        var envelope = HandBuilt(politie, trained: withDisallowedField);
        if (tamper)
        {
            var ciphertext = envelope.Ciphertext.ToByteArray();
            ciphertext[ciphertext.Length / 2] ^= 0x01;
            envelope.Ciphertext = ByteString.CopyFrom(ciphertext);
        }
        return await DeliverAsync(politie, envelope).ConfigureAwait(false);
    }

    private async Task<string> DeliverTwiceAsync()
    {
        using var politie = NodeContext.Load(NodeConfiguration.Load(Path.Combine(certsDirectory, "politie")), TimeProvider.System);
        var envelope = HandBuilt(politie, trained: false);
        using var channel = PeerClients.CreateChannel(Endpoint(politie, "reclassering"), "reclassering", politie);
        var client = new PeerService.PeerServiceClient(channel);
        var first = await client.DeliverAsync(envelope).ConfigureAwait(false);
        var second = await client.DeliverAsync(envelope).ConfigureAwait(false);
        return first.Equals(second) ? "original receipt (byte-identical)" : "a second, different receipt";
    }

    private static Contracts.V1.Envelope HandBuilt(NodeContext politie, bool trained)
    {
        politie.TrustList.TryGet("reclassering", out var reclassering);
        var pseudonym = politie.Pseudonyms.Pseudonym("reclassering", reclassering!.CurrentPseudonymKey(politie.Time.GetUtcNow())!.Key,
            SubjectId.Bsn(DemoSignals.SuspectBsn, "subject"));
        var signal = new Signal
        {
            RiskAssessed = new RiskAssessed
            {
                Level = RiskLevel.High,
                Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(pseudonym) },
                CaseReference = DemoSignals.CaseReference,
            },
        };
        if (trained)
        {
            signal.RiskAssessed.TrainedAssessor = true;
        }
        return EnvelopeFactory.Create(politie, reclassering, "risk-for-supervision", "RiskAssessed", "protection-order-enforcement", Priority.Routine, signal)
            .Sealed.Envelope;
    }

    private static string Endpoint(NodeContext node, string partner) =>
        node.TrustList.TryGet(partner, out var p) ? p.PeerEndpoint : throw new InvalidOperationException(partner);

    private static async Task<string> DeliverAsync(NodeContext politie, Contracts.V1.Envelope envelope)
    {
        using var channel = PeerClients.CreateChannel(Endpoint(politie, "reclassering"), "reclassering", politie);
        try
        {
            await new PeerService.PeerServiceClient(channel).DeliverAsync(envelope).ConfigureAwait(false);
            return "accepted (not refused)";
        }
        catch (RpcException e)
        {
            return ErrorMapping.ReasonOf(e) is { } reason ? $"{Core.Errors.ReasonCodes.ToWire(reason)} ({e.Status.Detail})" : e.Status.ToString();
        }
    }
}
