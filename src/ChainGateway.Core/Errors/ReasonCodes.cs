namespace ChainGateway.Core.Errors;

/// <summary>Wire names of <see cref="ReasonCode"/> (SCREAMING_SNAKE_CASE, DESIGN.md §10).</summary>
public static class ReasonCodes
{
    /// <summary>The ErrorInfo domain of every ChainGateway error.</summary>
    public const string Domain = "chaingateway";

    private static readonly string[] Names = Enum.GetValues<ReasonCode>().Select(ToWireName).ToArray();

    /// <summary>The stable wire name, e.g. <c>BAD_SIGNATURE</c>.</summary>
    public static string ToWire(this ReasonCode code) => Names[(int)code];

    /// <summary>Parses a wire name; false when it names no code.</summary>
    public static bool TryParse(string wire, out ReasonCode code)
    {
        var index = Array.IndexOf(Names, wire);
        code = index < 0 ? default : (ReasonCode)index;
        return index >= 0;
    }

    private static string ToWireName(ReasonCode code)
    {
        var name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToUpperInvariant(name[i]));
        }
        return builder.ToString();
    }
}
