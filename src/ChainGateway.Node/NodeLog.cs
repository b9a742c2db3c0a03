namespace ChainGateway.Node;

/// <summary>Source-generated log messages with fixed event ids. Never a payload, a BSN or a key.</summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 1000, EventName = "NodeStarted", Level = LogLevel.Information,
        Message = "Node {Organisation} started: peer endpoint https://{PeerEndpoint}, local endpoint http://{LocalEndpoint}, agreement {AgreementHash}")]
    public static partial void NodeStarted(ILogger logger, string organisation, string peerEndpoint, string localEndpoint, string agreementHash);

    [LoggerMessage(EventId = 1001, EventName = "Refused", Level = LogLevel.Warning,
        Message = "Refused {Method}: {Reason} — {Detail}")]
    public static partial void Refused(ILogger logger, string method, string reason, string detail);

    [LoggerMessage(EventId = 1002, EventName = "SignalSent", Level = LogLevel.Debug,
        Message = "Queued {SignalType} {MessageId} for {Recipient} under rule {RuleId}")]
    public static partial void SignalSent(ILogger logger, string signalType, Guid messageId, string recipient, string ruleId);

    [LoggerMessage(EventId = 1003, EventName = "SignalReceived", Level = LogLevel.Debug,
        Message = "Accepted {SignalType} {MessageId} from {Sender} under rule {RuleId} (log index {LogIndex})")]
    public static partial void SignalReceived(ILogger logger, string signalType, Guid messageId, string sender, string ruleId, long logIndex);

    [LoggerMessage(EventId = 1004, EventName = "DuplicateReceived", Level = LogLevel.Debug,
        Message = "Duplicate {MessageId} from {Sender}: answered with the original receipt")]
    public static partial void DuplicateReceived(ILogger logger, Guid messageId, string sender);

    [LoggerMessage(EventId = 1005, EventName = "Delivered", Level = LogLevel.Debug,
        Message = "Delivered {MessageId} to {Recipient}; receipt verified (their log index {LogIndex})")]
    public static partial void Delivered(ILogger logger, Guid messageId, string recipient, ulong logIndex);

    [LoggerMessage(EventId = 1006, EventName = "DeliveryRetry", Level = LogLevel.Warning,
        Message = "Delivery of {MessageId} to {Recipient} failed (attempt {Attempt}): {Error}; next attempt at {NextAttempt:O}")]
    public static partial void DeliveryRetry(ILogger logger, Guid messageId, string recipient, int attempt, string error, DateTimeOffset nextAttempt);

    [LoggerMessage(EventId = 1007, EventName = "DeadLettered", Level = LogLevel.Error,
        Message = "Delivery of {MessageId} to {Recipient} given up: {Error}; the envelope is in the dead-letter state")]
    public static partial void DeadLettered(ILogger logger, Guid messageId, string recipient, string error);

    [LoggerMessage(EventId = 1008, EventName = "PeerRejected", Level = LogLevel.Warning,
        Message = "Refused an envelope from {Peer}: {Reason} — {Detail}")]
    public static partial void PeerRejected(ILogger logger, string peer, string reason, string detail);

    [LoggerMessage(EventId = 1009, EventName = "OutboxWorkerFailed", Level = LogLevel.Error,
        Message = "The outbox worker hit an unexpected error; it goes on after a pause")]
    public static partial void OutboxWorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1010, EventName = "ClientCertificateRefused", Level = LogLevel.Warning,
        Message = "Refused a TLS client certificate that does not chain to the federation CA: subject '{Subject}', issuer '{Issuer}'")]
    public static partial void ClientCertificateRefused(ILogger logger, string subject, string issuer);

    [LoggerMessage(EventId = 1011, EventName = "Failed", Level = LogLevel.Error,
        Message = "{Method} failed; answered UNAVAILABLE so the caller retries")]
    public static partial void Failed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1012, EventName = "CheckpointSigned", Level = LogLevel.Information,
        Message = "Signed a checkpoint of the sharing log at size {Size}, root {Root}")]
    public static partial void CheckpointSigned(ILogger logger, long size, string root);

    [LoggerMessage(EventId = 1015, EventName = "CheckpointRefused", Level = LogLevel.Error,
        Message = "Signs no checkpoint of the sharing log: {Problem}. The node serves on; run chaingw log verify and restore the store from a backup")]
    public static partial void CheckpointRefused(ILogger logger, string problem);

    [LoggerMessage(EventId = 1016, EventName = "OwnKeyExpiring", Level = LogLevel.Warning, Message = "Own keys: {Message}")]
    public static partial void OwnKeyExpiring(ILogger logger, string message);

    [LoggerMessage(EventId = 1017, EventName = "OwnKeyNotValid", Level = LogLevel.Error,
        Message = "Own keys: {Message}; partners refuse what depends on it until a key valid now is listed and held")]
    public static partial void OwnKeyNotValid(ILogger logger, string message);

    [LoggerMessage(EventId = 1018, EventName = "RuntimeSettingsNotSet", Level = LogLevel.Information,
        Message = "This node runs without the runtime settings of a service, not set: {Settings}. A node that runs for days should set them, as deploy/systemd does (docs/operations.md, \"Process: working directory and memory\"); the demo's nodes leave out DOTNET_ReadyToRun on purpose")]
    public static partial void RuntimeSettingsNotSet(ILogger logger, string settings);

    [LoggerMessage(EventId = 1019, EventName = "ScrubIncomplete", Level = LogLevel.Warning,
        Message = "After a purge the store's write-ahead log could not be cleared (a reader, such as chaingw log verify, held it): what was purged may still be in that file. Tried again every {IntervalSeconds} s")]
    public static partial void ScrubIncomplete(ILogger logger, double intervalSeconds);

    [LoggerMessage(EventId = 1020, EventName = "RetentionShortened", Level = LogLevel.Information,
        Message = "The agreement in force gives {Count} stored signal(s) or overview cop(ies) a shorter retention than they were stored with: they now end at the new rule's retention from when they were received or sent")]
    public static partial void RetentionShortened(ILogger logger, int count);

    [LoggerMessage(EventId = 1021, EventName = "PurgedUnacknowledged", Level = LogLevel.Warning,
        Message = "Retention ended for {Count} received signal(s) that the organisation's systems had not acknowledged: they were deleted. Does the case system subscribe and acknowledge?")]
    public static partial void PurgedUnacknowledged(ILogger logger, int count);

    [LoggerMessage(EventId = 1022, EventName = "LocalApiNotLoopback", Level = LogLevel.Warning,
        Message = "The local API listens on {Endpoint}, not a loopback address, and has no TLS of its own: bearer tokens and BSNs cross the network in the clear unless a TLS-terminating proxy on this host is the only way in")]
    public static partial void LocalApiNotLoopback(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1013, EventName = "Purged", Level = LogLevel.Information,
        Message = "Retention ended for {Count} signal(s): received bodies and sent copies deleted, each with a purged entry in the sharing log")]
    public static partial void Purged(ILogger logger, int count);

    [LoggerMessage(EventId = 1014, EventName = "BackgroundWorkFailed", Level = LogLevel.Error,
        Message = "{Work} failed; the node keeps serving and tries again in {RetrySeconds} s")]
    public static partial void BackgroundWorkFailed(ILogger logger, string work, double retrySeconds, Exception exception);

    [LoggerMessage(EventId = 1100, EventName = "WitnessRefused", Level = LogLevel.Error,
        Message = "ALERT: refused to cosign {Partner}'s checkpoint at size {Size}: {Reason} — {Detail}")]
    public static partial void WitnessRefused(ILogger logger, string partner, long size, string reason, string detail);

    [LoggerMessage(EventId = 1101, EventName = "Cosigned", Level = LogLevel.Information,
        Message = "Cosigned {Partner}'s checkpoint at size {Size} (root {Root}); partner answered {Status}")]
    public static partial void Cosigned(ILogger logger, string partner, long size, string root, int status);

    [LoggerMessage(EventId = 1102, EventName = "WitnessUnreachable", Level = LogLevel.Warning,
        Message = "Could not witness {Partner}'s log: {Error}")]
    public static partial void WitnessUnreachable(ILogger logger, string partner, string error);

    [LoggerMessage(EventId = 1103, EventName = "CosignatureStored", Level = LogLevel.Information,
        Message = "Stored {Witness}'s cosignature of our checkpoint at size {Size}")]
    public static partial void CosignatureStored(ILogger logger, string witness, long size);

    [LoggerMessage(EventId = 1104, EventName = "CosignatureRefused", Level = LogLevel.Warning,
        Message = "Refused a cosignature from {Witness}: {Detail}")]
    public static partial void CosignatureRefused(ILogger logger, string witness, string detail);
}
