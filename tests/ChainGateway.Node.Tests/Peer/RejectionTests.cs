using System.Security.Cryptography.X509Certificates;
using System.Text;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Federation;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>Every refusal of DESIGN.md §10 on the receive path: its reason code, and an entry in the refusing node's log.</summary>
public sealed class RejectionTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode reclassering = null!;
    private NodeContext politie = null!;
    private PeerService.PeerServiceClient peer = null!;
    private Grpc.Net.Client.GrpcChannel channel = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        reclassering = await federation.StartAsync("reclassering");
        politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        peer = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, politie.TlsCertificate, politie.FederationCa, out channel);
    }

    public async Task DisposeAsync()
    {
        channel.Dispose();
        politie.Dispose();
        await federation.DisposeAsync();
    }

    private Contracts.V1.Envelope Valid(Action<EnvelopeHeader>? mutate = null, bool trained = false) =>
        HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement",
            HandBuilt.RiskForSupervision(politie, trained), mutate);

    private async Task<ReasonCode?> RefusalOf(Contracts.V1.Envelope envelope, PeerService.PeerServiceClient? client = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => (client ?? peer).DeliverAsync(envelope).ResponseAsync);
        var reason = ErrorMapping.ReasonOf(error);
        Assert.NotNull(reason);
        var log = await reclassering.Store.ReadLogAsync(0, 1000, default);
        Assert.Contains(log, e => e.Event == LogEvent.Rejected && e.ReasonCode == reason.Value.ToWire());
        // Told to the operator once (with the peer), not again by the error interceptor.
        Assert.Single(federation.Logs.Events, e => e.EventId.Name is "PeerRejected" or "Refused");
        return reason;
    }

    [Fact]
    public async Task ValidEnvelope_IsAcceptedWithReceipt()
    {
        var receipt = await peer.DeliverAsync(Valid());
        Assert.False(receipt.Signature.IsEmpty);
    }

    [Theory]
    [InlineData("header", 3)]
    [InlineData("header", 40)]
    [InlineData("enc", 0)]
    [InlineData("ciphertext", 5)]
    [InlineData("ciphertext", -1)]
    [InlineData("signature", 10)]
    public async Task FlippedByte_IsRejectedAsBadSignature_BeforeDecryption(string field, int index)
    {
        var envelope = Valid();
        var flipped = field switch
        {
            "header" => HandBuilt.Flip(envelope, e => e.Header, (e, b) => e.Header = b, index),
            "enc" => HandBuilt.Flip(envelope, e => e.Enc, (e, b) => e.Enc = b, index),
            "ciphertext" => HandBuilt.Flip(envelope, e => e.Ciphertext, (e, b) => e.Ciphertext = b, index < 0 ? envelope.Ciphertext.Length - 1 : index),
            _ => HandBuilt.Flip(envelope, e => e.Signature, (e, b) => e.Signature = b, index),
        };
        var reason = await RefusalOf(flipped);
        // A flipped header byte may also break the header's parse or its sender; any other code than these would
        // mean the payload was touched before the signature was checked.
        Assert.Contains(reason, new ReasonCode?[] { ReasonCode.BadSignature, ReasonCode.Malformed, ReasonCode.SenderMismatch, ReasonCode.UnknownKey });
        if (field != "header")
        {
            Assert.Equal(ReasonCode.BadSignature, reason);
        }
    }

    [Fact]
    public async Task FlippedHeaderByteInsideSignedContent_IsBadSignature()
    {
        var envelope = Valid();
        var header = EnvelopeHeader.Parser.ParseFrom(envelope.Header);
        var tampered = envelope.Clone();
        // Change the purpose text by one letter: still a well-formed header, but not what was signed.
        header.Purpose = "protection-order-enforcemenT";
        tampered.Header = header.ToByteString();
        Assert.Equal(ReasonCode.BadSignature, await RefusalOf(tampered));
    }

    [Fact]
    public async Task ValidSignatureOverGarbageCiphertext_IsDecryptFailed_ShowingSignatureIsCheckedFirst()
    {
        // Sign garbage with politie's real key: the signature holds, so only decryption can fail.
        var envelope = Valid();
        var garbage = envelope.Ciphertext.ToByteArray();
        garbage[0] ^= 0xFF;
        var resigned = envelope.Clone();
        resigned.Ciphertext = ByteString.CopyFrom(garbage);
        var input = Core.Envelope.SignatureInput.ForEnvelope(resigned.Header.Span, resigned.Enc.Span, resigned.Ciphertext.Span);
        resigned.Signature = ByteString.CopyFrom(NSec.Cryptography.SignatureAlgorithm.Ed25519.Sign(politie.Keys.Signing, input));
        Assert.Equal(ReasonCode.DecryptFailed, await RefusalOf(resigned));
    }

    [Fact]
    public async Task ClientCertificateFromAnotherCa_IsRefusedAtHandshake()
    {
        using var otherCa = DevCertificates.CreateCa("Not the federation CA", DateTimeOffset.UtcNow);
        using var issued = DevCertificates.IssueOrganisationCertificate(otherCa, "politie", DateTimeOffset.UtcNow);
        using var forged = HandBuilt.Usable(issued);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, forged, politie.FederationCa, out var other);
        using (other)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(Valid()).ResponseAsync);
            // In TLS 1.3 the client learns of the refused certificate only after it has sent its request, so the
            // transport failure surfaces as either status, never as an answer of the service (no ErrorInfo).
            Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });
            Assert.Null(ErrorMapping.ReasonOf(error));
        }
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "ClientCertificateRefused" && e.Message.Contains("Not the federation CA", StringComparison.Ordinal));
        // Nothing reached the service: no envelope was logged as received.
        var log = await reclassering.Store.ReadLogAsync(0, 1000, default);
        Assert.DoesNotContain(log, e => e.Event == LogEvent.Received);
    }

    [Fact]
    public async Task CertificateOfListedCaForUnlistedOrganisation_IsUnknownPartner()
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(federation.Directory, "ca.crt.pem"), Path.Combine(federation.Directory, "ca.key.pem"));
        using var issued = DevCertificates.IssueOrganisationCertificate(ca, "onbekend", DateTimeOffset.UtcNow);
        using var outsider = HandBuilt.Usable(issued);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, outsider, politie.FederationCa, out var other);
        using (other)
        {
            Assert.Equal(ReasonCode.UnknownPartner, await RefusalOf(Valid(), client));
        }
    }

    [Fact]
    public async Task EnvelopeSenderOtherThanCertificate_IsSenderMismatch()
    {
        using var om = NodeContext.Load(federation.Configuration("om"), TimeProvider.System);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, om.TlsCertificate, om.FederationCa, out var other);
        using (other)
        {
            Assert.Equal(ReasonCode.SenderMismatch, await RefusalOf(Valid(), client));
        }
    }

    [Fact]
    public async Task NoRuleAtReceiver_IsRuleDenied()
    {
        var envelope = HandBuilt.Envelope(politie, "reclassering", "politie-stalking-report", "risk-assessment", new Signal
        {
            StalkingReported = new StalkingReported
            {
                ReportKind = ReportKind.Melding,
                ReportedOn = Signals.Yesterday(),
                Suspect = new SubjectRef { Pseudonym = ByteString.CopyFrom(HandBuilt.Pseudonym(politie, "reclassering")) },
                Victim = new SubjectRef { Pseudonym = ByteString.CopyFrom(HandBuilt.Pseudonym(politie, "reclassering", "111222333")) },
                CaseReference = "PL-1",
            },
        });
        Assert.Equal(ReasonCode.RuleDenied, await RefusalOf(envelope));
    }

    [Fact]
    public async Task FieldTheRuleDoesNotAllow_IsFieldNotAllowed()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => peer.DeliverAsync(Valid(trained: true)).ResponseAsync);
        Assert.Equal(ReasonCode.FieldNotAllowed, ErrorMapping.ReasonOf(error));
        var violation = error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>();
        Assert.Equal("signal.risk_assessed.trained_assessor", violation.FieldViolations[0].Field);
    }

    [Fact]
    public async Task UnknownFieldInsideAnAllowedMessage_IsFieldNotAllowed()
    {
        // Field 15 of RiskAssessed is defined nowhere: data hidden there would pass a check on known fields only.
        var allowed = HandBuilt.RiskForSupervision(politie).RiskAssessed.ToByteArray();
        var hidden = ByteString.CopyFromUtf8("123456782").ToByteArray();
        var inner = allowed.Concat(new byte[] { (15 << 3) | 2, (byte)hidden.Length }).Concat(hidden).ToArray();
        var signal = Signal.Parser.ParseFrom(new byte[] { (2 << 3) | 2, (byte)inner.Length }.Concat(inner).ToArray());
        var envelope = HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", signal);
        Assert.Equal(ReasonCode.FieldNotAllowed, await RefusalOf(envelope));
    }

    [Fact]
    public async Task AHeaderWithoutAValidTraceparent_StartsATraceOfItsOwn_AndKeepsNoForeignIds()
    {
        // Empty, and of the right shape but not hex: neither is a W3C traceparent.
        await peer.DeliverAsync(Valid(h => h.Traceparent = ""));
        await peer.DeliverAsync(Valid(h => h.Traceparent = "00-" + new string('z', 32) + "-" + new string('z', 16) + "-01"));
        var received = (await reclassering.Store.ReadLogAsync(0, 1000, default)).Where(e => e.Event == LogEvent.Received).ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, e =>
        {
            Assert.Null(e.ForeignTraceId);
            Assert.Null(e.ForeignSpanId);
            Assert.NotEqual(new string('0', 32), e.TraceId);
        });
        Assert.NotEqual(received[0].TraceId, received[1].TraceId);
    }

    [Fact]
    public async Task UnknownFieldBesideTheSignal_IsFieldNotAllowed()
    {
        // Field 2 of SignalPayload is defined nowhere. The payload is stored as it came, so data there would sit in the inbox.
        var signal = HandBuilt.RiskForSupervision(politie);
        var hidden = Encoding.UTF8.GetBytes("123456782");
        var payload = SignalPayload.Parser.ParseFrom([.. new SignalPayload { Signal = signal }.ToByteArray(), (2 << 3) | 2, (byte)hidden.Length, .. hidden]);
        var envelope = HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", signal, payload: payload);
        Assert.Equal(ReasonCode.FieldNotAllowed, await RefusalOf(envelope));
    }

    [Fact]
    public async Task ARiskLevelTheProtoDoesNotName_IsMalformed()
    {
        // Proto3 enums are open: 99 parses, and compared as a number it would meet the rule's "high or above".
        var signal = HandBuilt.RiskForSupervision(politie);
        signal.RiskAssessed.Level = (RiskLevel)99;
        Assert.Equal(ReasonCode.Malformed,
            await RefusalOf(HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", signal)));
    }

    [Fact]
    public async Task OtherAgreementHash_IsAgreementMismatch() =>
        Assert.Equal(ReasonCode.AgreementMismatch,
            await RefusalOf(Valid(h => h.AgreementHash = ByteString.CopyFrom(new byte[32]))));

    [Fact]
    public async Task ReusedMessageIdWithOtherEnvelope_IsReplayed()
    {
        var first = Valid();
        await peer.DeliverAsync(first);
        var id = EnvelopeHeader.Parser.ParseFrom(first.Header).MessageId;
        var second = Valid(h => h.MessageId = id);
        Assert.Equal(ReasonCode.Replayed, await RefusalOf(second));
    }

    [Fact]
    public async Task SameEnvelopeAgain_GetsOriginalReceipt_AndOneInboxRow()
    {
        var envelope = Valid();
        var first = await peer.DeliverAsync(envelope);
        var second = await peer.DeliverAsync(envelope);
        Assert.Equal(first, second);
        var id = new Guid(EnvelopeHeader.Parser.ParseFrom(envelope.Header).MessageId.Span, bigEndian: true);
        var rows = await reclassering.Store.GetUnacknowledgedAsync(0, 100, default);
        Assert.Single(rows, r => r.MessageId == id);
    }

    [Fact]
    public async Task SameEnvelopeManyTimesAtOnce_GetsOneReceipt_OneInboxRow_AndOneReceivedEntry()
    {
        // No read before the write: the store's transaction is what finds the duplicates, here racing each other.
        var envelope = Valid();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => peer.DeliverAsync(envelope).ResponseAsync));
        Assert.All(receipts, r => Assert.Equal(receipts[0], r));
        var id = new Guid(EnvelopeHeader.Parser.ParseFrom(envelope.Header).MessageId.Span, bigEndian: true);
        Assert.Single(await reclassering.Store.GetUnacknowledgedAsync(0, 100, default), r => r.MessageId == id);
        var log = await reclassering.Store.ReadLogAsync(0, 1000, default);
        Assert.Single(log, e => e.Event == LogEvent.Received && e.MessageId == id);
        Assert.DoesNotContain(log, e => e.Event == LogEvent.Rejected && e.MessageId == id);
    }

    [Fact]
    public async Task Expired_IsExpired() =>
        Assert.Equal(ReasonCode.Expired, await RefusalOf(Valid(h =>
        {
            h.CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(-2));
            h.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1));
        })));

    [Fact]
    public async Task CreatedInTheFuture_IsClockSkew() =>
        Assert.Equal(ReasonCode.ClockSkew, await RefusalOf(Valid(h =>
        {
            h.CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(30));
            h.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2));
        })));

    [Fact]
    public async Task TooLarge_IsTooLarge()
    {
        var envelope = Valid();
        envelope.Ciphertext = ByteString.CopyFrom(new byte[70 * 1024]);
        Assert.Equal(ReasonCode.TooLarge, await RefusalOf(envelope));
    }

    [Fact]
    public async Task FarBeyondTheLimit_IsRefusedByTheTransport_BeforeTheServiceParsesIt()
    {
        var envelope = Valid();
        envelope.Ciphertext = ByteString.CopyFrom(new byte[200 * 1024]);
        var error = await Assert.ThrowsAsync<RpcException>(() => peer.DeliverAsync(envelope).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.DoesNotContain(await reclassering.Store.ReadLogAsync(0, 1000, default), e => e.Event is LogEvent.Received or LogEvent.Rejected);
        // The connection serves the next envelope.
        Assert.False((await peer.DeliverAsync(Valid())).Signature.IsEmpty);
    }
}
