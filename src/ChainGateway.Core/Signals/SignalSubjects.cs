using ChainGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ChainGateway.Core.Signals;

/// <summary>
/// The subject references a signal carries, found by walking the message (so a new signal type needs no code here):
/// for the log's data-subject column and the case overview's index. Only pseudonyms are returned.
/// </summary>
public static class SignalSubjects
{
    /// <summary>Every pseudonym in the signal, with its field path (e.g. <c>stalking_reported.victim</c>), in field order.</summary>
    public static IReadOnlyList<(string Path, byte[] Pseudonym)> Pseudonyms(Signal? signal)
    {
        var found = new List<(string, byte[])>(2);
        if (signal is not null)
        {
            Collect(signal, string.Empty, found);
        }
        return found;
    }

    /// <summary>The data-subject column of a log entry: the hex pseudonyms a signal names, comma separated, or null.</summary>
    public static string? Describe(Signal? signal)
    {
        var pseudonyms = Pseudonyms(signal);
        return pseudonyms.Count == 0 ? null : string.Join(',', pseudonyms.Select(p => Convert.ToHexStringLower(p.Pseudonym)));
    }

    private static void Collect(IMessage message, string prefix, List<(string, byte[])> found)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType != FieldType.Message || field.IsRepeated || field.IsMap || field.Accessor.GetValue(message) is not IMessage child)
            {
                continue;
            }
            var path = prefix + field.Name;
            if (child is SubjectRef subject)
            {
                if (subject.IdCase == SubjectRef.IdOneofCase.Pseudonym)
                {
                    found.Add((path, subject.Pseudonym.ToByteArray()));
                }
            }
            else
            {
                Collect(child, path + ".", found);
            }
        }
    }
}
