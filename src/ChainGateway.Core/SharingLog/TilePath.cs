// C2SP tlog-tiles (c2sp.org/tlog-tiles) §Merkle Tree, §Log entries: the resource paths of a tiled log.
//
//   <prefix>/tile/<L>/<N>[.p/<W>]        hash tile: level L (0..63), index N, partial width W (1..255)
//   <prefix>/tile/entries/<N>[.p/<W>]    entry bundle: the level-0 tile's entries
//
// N is written in zero-padded 3-digit path elements, all but the last prefixed with 'x' (1234067 → x001/x234/067).
// No leading zeroes on L or W. Parsing is strict: one spelling per tile, so one resource has one path.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ChainGateway.Core.SharingLog;

/// <summary>A tile or entry-bundle coordinate of C2SP tlog-tiles.</summary>
/// <param name="Level">The tile level (0..63); 0 for entry bundles.</param>
/// <param name="Index">The tile index N within the level.</param>
/// <param name="Width">1..256; 256 is a full tile.</param>
/// <param name="IsEntries">An entry bundle (<c>tile/entries/…</c>) rather than a hash tile.</param>
public sealed record TilePath(int Level, long Index, int Width, bool IsEntries)
{
    /// <summary>tlog-tiles: tiles are 8 levels high, 256 hashes wide.</summary>
    public const int Height = 8;

    /// <summary>The number of hashes (or entries) in a full tile.</summary>
    public const int FullWidth = 1 << Height;

    public bool IsPartial => Width < FullWidth;

    /// <summary>The path below the prefix, e.g. <c>tile/0/x001/x234/067.p/8</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("tile/");
        builder.Append(IsEntries ? "entries" : Level.ToString(CultureInfo.InvariantCulture)).Append('/');
        var groups = new List<string>();
        var n = Index;
        do
        {
            groups.Add((n % 1000).ToString("000", CultureInfo.InvariantCulture));
            n /= 1000;
        }
        while (n > 0);
        groups.Reverse();
        builder.AppendJoin('/', groups.Select((g, i) => i < groups.Count - 1 ? "x" + g : g));
        if (IsPartial)
        {
            builder.Append(".p/").Append(Width.ToString(CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>Parses the part after <c>tile/</c>; false for any other spelling than the canonical one.</summary>
    public static bool TryParse(string path, [NotNullWhen(true)] out TilePath? tile)
    {
        ArgumentNullException.ThrowIfNull(path);
        tile = null;
        var parts = path.Split('/');
        if (parts.Length < 2)
        {
            return false;
        }
        var width = FullWidth;
        // ".p/<W>": the last element is W, the one before ends in ".p".
        if (parts.Length >= 3 && parts[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryDecimal(parts[^1], 255, out var w) || w < 1)
            {
                return false;
            }
            width = (int)w;
            parts[^2] = parts[^2][..^2];
            parts = parts[..^1];
        }
        var isEntries = parts[0] == "entries";
        long level = 0;
        if (!isEntries && !TryDecimal(parts[0], 63, out level))
        {
            return false;
        }
        long index = 0;
        var elements = parts[1..];
        if (elements.Length > 6)
        {
            return false;
        }
        for (var i = 0; i < elements.Length; i++)
        {
            var element = elements[i];
            var last = i == elements.Length - 1;
            if (!last)
            {
                if (!element.StartsWith('x'))
                {
                    return false;
                }
                element = element[1..];
            }
            if (element.Length != 3 || !element.All(char.IsAsciiDigit))
            {
                return false;
            }
            index = checked((index * 1000) + int.Parse(element, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        // Canonical: no leading "x000/" group.
        if (elements.Length > 1 && elements[0] == "x000")
        {
            return false;
        }
        tile = new TilePath((int)level, index, width, isEntries);
        return true;
    }

    /// <summary>tlog-tiles §Partial Tiles: the width of tile (level, index) in a tree of <paramref name="treeSize"/> leaves; 0 if it is empty.</summary>
    public static int WidthAt(int level, long index, long treeSize)
    {
        var hashesAtLevel = treeSize >> (Height * level);
        var remaining = hashesAtLevel - (index * FullWidth);
        return remaining <= 0 ? 0 : (int)Math.Min(FullWidth, remaining);
    }

    private static bool TryDecimal(string text, long max, out long value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 3 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        value = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= max;
    }
}
