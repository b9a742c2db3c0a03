using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Subjects;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ChainGateway.Node.Local;

/// <summary>
/// Replaces every SubjectRef in a signal (BSN or local id) by the pairwise pseudonym this node shares with the
/// recipient (DESIGN.md §6), so no identifier leaves the node. Walks the message by reflection, so new signal
/// types need no code here.
/// </summary>
internal static class SubjectPseudonymiser
{
    public static Signal ForRecipient(Signal signal, PairwisePseudonymizer pseudonyms, Partner recipient, DateTimeOffset now)
    {
        var key = recipient.CurrentPseudonymKey(now)
            ?? throw new ChainGatewayException(ReasonCode.UnknownKey, $"'{recipient.Id}' has no pseudonym key valid now");
        var copy = signal.Clone();
        Replace(copy, "signal", subject => pseudonyms.Pseudonym(recipient.Id, key.Key, subject));
        return copy;
    }

    private static void Replace(IMessage message, string path, Func<SubjectId, byte[]> pseudonym)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message || field.IsRepeated || field.IsMap)
            {
                continue;
            }
            if (field.Accessor.GetValue(message) is not IMessage child)
            {
                continue;
            }
            var childPath = path + "." + field.Name;
            if (child is SubjectRef subject)
            {
                var id = subject.IdCase switch
                {
                    SubjectRef.IdOneofCase.Bsn => SubjectId.Bsn(subject.Bsn, childPath + ".bsn"),
                    SubjectRef.IdOneofCase.LocalId => SubjectId.Local(subject.LocalId, childPath + ".local_id"),
                    _ => throw new ChainGatewayException(ReasonCode.Malformed, "a subject must be given as bsn or local_id", childPath),
                };
                subject.Pseudonym = ByteString.CopyFrom(pseudonym(id));
            }
            else
            {
                Replace(child, childPath, pseudonym);
            }
        }
    }
}
