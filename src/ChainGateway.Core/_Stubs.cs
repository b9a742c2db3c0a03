// TEMPORARY: compile stubs until branch 'rules' lands. Deleted at merge.
#pragma warning disable
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Subjects
{
    public sealed record SubjectId(string Kind, string Value)
    {
        public static SubjectId Bsn(string value, string fieldPath) => new("bsn", value);
        public static SubjectId Local(string value, string fieldPath) => new("local", value);
        public string ToCanonicalString() => Kind + ":" + Value;
    }

    public sealed class PairwisePseudonymizer(NSec.Cryptography.Key own, string ownId, string federationId)
    {
        public byte[] Pseudonym(string partnerId, NSec.Cryptography.PublicKey partnerKey, SubjectId subject) => new byte[32];
    }
}

namespace ChainGateway.Core.Rules
{
    public sealed record SharingRule(string Id, string ProcessingActivity, IReadOnlyList<string> AllowedFields, int RetentionDays);

    public sealed record Agreement(string FederationId, int Version, IReadOnlyList<string> Parties)
    {
        public static Agreement Parse(string json) => throw new NotImplementedException();
        public byte[] Hash() => new byte[32];
    }

    public sealed record RuleDecision(bool Allowed, SharingRule? Rule, ReasonCode? Reason, string Message);

    public sealed class RuleEvaluator(Agreement agreement)
    {
        public RuleDecision Evaluate(string from, string to, string signalType, string purpose, IReadOnlyCollection<string>? roles, Signal? signal) =>
            throw new NotImplementedException();
    }

    public static class FieldMinimiser
    {
        public static Signal Minimise(Signal signal, IReadOnlyCollection<string> allowed) => signal;
        public static string? FirstDisallowedField(Signal signal, IReadOnlyCollection<string> allowed) => null;
    }

    public sealed class AgreementNotInForceException(string message) : Exception(message);
}

namespace ChainGateway.Core.Signals
{
    public static class SignalTypes
    {
        public static string Of(Signal signal) => "";
    }

    public static class SignalValidator
    {
        public static void ValidateLocal(Signal signal, DateOnly today) { }
        public static void ValidateWire(Signal signal, DateOnly today) { }
    }
}
