using ChainGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ChainGateway.Core.Rules;

/// <summary>
/// Minimisation (DESIGN.md §5): fields a rule does not allow are cleared before sealing, and a receiver refuses a
/// signal that carries one. A path is allowed when it equals an allowed path, lies below one
/// (<c>risk_assessed.subject.pseudonym</c> under <c>risk_assessed.subject</c>), or lies above one (the
/// <c>risk_assessed</c> case itself when any of its fields is allowed).
/// </summary>
public static class FieldMinimiser
{
    private static readonly MessageParser<Signal> KnownFieldsOnly = Signal.Parser.WithDiscardUnknownFields(true);
    private static readonly MessageParser<SignalPayload> KnownPayloadFieldsOnly = SignalPayload.Parser.WithDiscardUnknownFields(true);

    /// <summary>A copy with only the allowed fields, and no unknown fields (which could otherwise smuggle data past the rule).</summary>
    public static Signal Minimise(Signal signal, IReadOnlyCollection<string> allowedFields)
    {
        ArgumentNullException.ThrowIfNull(signal);
        var copy = KnownFieldsOnly.ParseFrom(signal.ToByteString());
        Clear(copy, string.Empty, allowedFields);
        return copy;
    }

    /// <summary>True when the signal carries fields our protos do not define (kept by the parser as unknown fields).</summary>
    public static bool HasUnknownFields(Signal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return KnownFieldsOnly.ParseFrom(signal.ToByteString()).CalculateSize() != signal.CalculateSize();
    }

    /// <summary>True when the payload carries fields our protos do not define, in its signal or beside it.</summary>
    public static bool HasUnknownFields(SignalPayload payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return KnownPayloadFieldsOnly.ParseFrom(payload.ToByteString()).CalculateSize() != payload.CalculateSize();
    }

    /// <summary>The path of the first set field the rule does not allow, or null.</summary>
    public static string? FirstDisallowedField(Signal signal, IReadOnlyCollection<string> allowedFields)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return FirstDisallowed(signal, string.Empty, allowedFields);
    }

    private static void Clear(IMessage message, string prefix, IReadOnlyCollection<string> allowed)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (!IsSet(message, field))
            {
                continue;
            }
            var path = prefix + field.Name;
            if (!allowed.Any(a => Covers(a, path) || IsAncestor(path, a)))
            {
                field.Accessor.Clear(message);
            }
            else if (field.FieldType == FieldType.Message && !field.IsRepeated && !allowed.Any(a => Covers(a, path)))
            {
                Clear((IMessage)field.Accessor.GetValue(message), path + ".", allowed);
            }
        }
    }

    private static string? FirstDisallowed(IMessage message, string prefix, IReadOnlyCollection<string> allowed)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (!IsSet(message, field))
            {
                continue;
            }
            var path = prefix + field.Name;
            if (allowed.Any(a => Covers(a, path)))
            {
                continue;
            }
            if (!allowed.Any(a => IsAncestor(path, a)))
            {
                return path;
            }
            if (field.FieldType == FieldType.Message && !field.IsRepeated
                && FirstDisallowed((IMessage)field.Accessor.GetValue(message), path + ".", allowed) is { } inner)
            {
                return inner;
            }
        }
        return null;
    }

    // "a" covers "path" when path is a itself or lies below it.
    private static bool Covers(string allowed, string path) =>
        path == allowed || (path.Length > allowed.Length && path.StartsWith(allowed, StringComparison.Ordinal) && path[allowed.Length] == '.');

    private static bool IsAncestor(string path, string allowed) => Covers(path, allowed) && path != allowed;

    private static bool IsSet(IMessage message, FieldDescriptor field)
    {
        if (field.IsRepeated)
        {
            return ((System.Collections.IList)field.Accessor.GetValue(message)).Count > 0;
        }
        if (field.HasPresence)
        {
            return field.Accessor.HasValue(message);
        }
        var value = field.Accessor.GetValue(message);
        return value switch
        {
            null => false,
            bool b => b,
            string s => s.Length > 0,
            ByteString bytes => !bytes.IsEmpty,
            int i => i != 0,
            long l => l != 0,
            uint u => u != 0,
            ulong ul => ul != 0,
            float f => f != 0,
            double d => d != 0,
            Enum e => Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture) != 0,
            _ => true,
        };
    }
}
