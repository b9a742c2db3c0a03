namespace ChainGateway.Core.Subjects;

/// <summary>
/// The Burgerservicenummer: 9 digits passing the 11-check (elfproef):
/// 9·d1 + 8·d2 + 7·d3 + 6·d4 + 5·d5 + 4·d6 + 3·d7 + 2·d8 − 1·d9 ≡ 0 (mod 11). A BSN never leaves the node.
/// </summary>
public static class Bsn
{
    /// <summary>The normalised form (9 digits, an 8-digit number gets its leading zero), or null when not a valid BSN.</summary>
    public static string? Normalise(string? value)
    {
        var trimmed = value?.Trim();
        if (trimmed is null || trimmed.Length is < 8 or > 9 || !trimmed.All(char.IsAsciiDigit))
        {
            return null;
        }
        var digits = trimmed.PadLeft(9, '0');
        if (digits == "000000000")
        {
            return null;
        }
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (9 - i) * (digits[i] - '0');
        }
        sum -= digits[8] - '0';
        return sum % 11 == 0 ? digits : null;
    }

    public static bool IsValid(string? value) => Normalise(value) is not null;
}
