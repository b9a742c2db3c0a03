using ChainGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ChainGateway.Node.Match;

/// <summary>The pseudonyms a received signal names, found by reflection so new signal types need no code here.</summary>
internal static class SignalSubjects
{
    public static IReadOnlyList<byte[]> PseudonymsOf(Signal? signal)
    {
        var found = new List<byte[]>();
        if (signal is not null)
        {
            Collect(signal, found);
        }
        return found;
    }

    private static void Collect(IMessage message, List<byte[]> found)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message || field.IsRepeated || field.IsMap || field.Accessor.GetValue(message) is not IMessage child)
            {
                continue;
            }
            if (child is SubjectRef { IdCase: SubjectRef.IdOneofCase.Pseudonym } subject)
            {
                found.Add(subject.Pseudonym.ToByteArray());
            }
            else
            {
                Collect(child, found);
            }
        }
    }
}
