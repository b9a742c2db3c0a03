// The size limit of a log entry: a C2SP tlog-tiles entry bundle prefixes each entry with a big-endian uint16
// length, so an entry whose encoding is over 65,535 bytes can never be served — its bundle would fail forever and
// every partner's reconcile with it. An exchange is never unlogged, so such an entry is not refused: its text fields
// are cut to fit, each cut marked in the field itself ("… (cut: N characters) …"), before the store hashes it.
//
// Only the largest fields are cut, and all of them to the same size (water-filling): a 200,000-character Detail
// next to ordinary fields gives up only what is needed, and a normal entry is never touched. A cut keeps the
// start and the end of the text (what it is about, and the identifiers such as a digest that details end with);
// the marker says how many characters are gone, so a reader knows the field is not the whole value.
using System.Text;

namespace ChainGateway.Core.SharingLog;

public static partial class LogEntryEncoding
{
    /// <summary>The largest encoding an entry may have: an entry bundle's length prefix is a uint16.</summary>
    public const int MaxEncodedLength = ushort.MaxValue;

    /// <summary>
    /// <paramref name="entry"/> itself if its encoding fits <see cref="MaxEncodedLength"/>, else a copy whose
    /// largest text fields are cut (with a marker) so that it does.
    /// </summary>
    /// <exception cref="ArgumentException">The entry cannot fit by cutting text (its other fields alone are too large).</exception>
    public static LogEntry FitToLimit(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // Every append passes here: an entry whose text cannot reach the limit (at most 3 UTF-8 bytes per UTF-16 char, and
        // far less than this margin for the fixed fields) is not encoded an extra time to find out.
        if (NonTextMargin + (3L * TextChars(entry)) <= MaxEncodedLength)
        {
            return entry;
        }
        var texts = TextsOf(entry);
        var sizes = texts.Select(t => t is null ? 0 : Encoding.UTF8.GetByteCount(t)).ToArray();
        var total = Encode(entry).Length;
        if (total <= MaxEncodedLength)
        {
            return entry;
        }
        // Presence bytes and length prefixes stay as they are when a text is cut; only the text bytes change.
        var cap = WaterLevel(sizes, MaxEncodedLength - (total - sizes.Sum()));
        if (cap < MaxMarkerBytes)
        {
            throw new ArgumentException("A log entry's fields other than its text are too large to encode.", nameof(entry));
        }
        var cut = texts.Select((t, i) => sizes[i] > cap ? Cut(t!, cap) : t).ToArray();
        return WithTexts(entry, cut);
    }

    /// <summary>The largest size c such that Σ min(size, c) ≤ budget: the size every larger field is cut to.</summary>
    private static int WaterLevel(int[] sizes, int budget)
    {
        var sorted = sizes.Order().ToArray();
        for (var i = 0; i < sorted.Length; i++)
        {
            var share = budget / (sorted.Length - i);
            if (sorted[i] > share)
            {
                return share;
            }
            budget -= sorted[i];
        }
        return int.MaxValue;
    }

    /// <summary>The UTF-8 size of the longest marker: " … (cut: " + up to 10 digits + " characters) … ".</summary>
    private const int MaxMarkerBytes = 40;

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxBytes"/> UTF-8 bytes: its first three quarters and
    /// last quarter (whole characters, a surrogate pair is never split) around a marker naming how many characters
    /// were cut.
    /// </summary>
    private static string Cut(string text, int maxBytes)
    {
        var keep = maxBytes - MaxMarkerBytes;
        var runes = text.EnumerateRunes().ToArray();
        var (headRunes, headChars) = TakeWithin(runes, keep - (keep / 4), fromEnd: false);
        var (tailRunes, tailChars) = TakeWithin(runes.AsSpan(headRunes), keep / 4, fromEnd: true);
        var cut = runes.Length - headRunes - tailRunes;
        return string.Concat(text.AsSpan(0, headChars), FormattableString.Invariant($" … (cut: {cut} characters) … "), text.AsSpan(text.Length - tailChars));
    }

    /// <summary>How many runes (and UTF-16 chars) from the start or end of <paramref name="runes"/> fit in <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    private static (int Runes, int Chars) TakeWithin(ReadOnlySpan<Rune> runes, int maxBytes, bool fromEnd)
    {
        var (count, chars, bytes) = (0, 0, 0);
        while (count < runes.Length)
        {
            var rune = runes[fromEnd ? runes.Length - 1 - count : count];
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }
            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
            count++;
        }
        return (count, chars);
    }

    /// <summary>More than the encoding of every field but the texts (times, ids, hashes, the event, presence bytes, lengths).</summary>
    private const int NonTextMargin = 1024;

    private static long TextChars(LogEntry e) =>
        (long)(e.Partner?.Length ?? 0) + (e.User?.Length ?? 0) + (e.Purpose?.Length ?? 0) + (e.ProcessingActivity?.Length ?? 0)
        + (e.RuleId?.Length ?? 0) + (e.SignalType?.Length ?? 0) + (e.SubjectPseudonym?.Length ?? 0) + (e.Outcome?.Length ?? 0)
        + (e.ReasonCode?.Length ?? 0) + (e.Detail?.Length ?? 0) + (e.TraceId?.Length ?? 0) + (e.SpanId?.Length ?? 0)
        + (e.ForeignTraceId?.Length ?? 0) + (e.ForeignSpanId?.Length ?? 0);

    /// <summary>The text fields (all strings but Event), in <see cref="WithTexts"/>'s order.</summary>
    private static string?[] TextsOf(LogEntry e) =>
    [
        e.Partner, e.User, e.Purpose, e.ProcessingActivity, e.RuleId, e.SignalType, e.SubjectPseudonym, e.Outcome,
        e.ReasonCode, e.Detail, e.TraceId, e.SpanId, e.ForeignTraceId, e.ForeignSpanId,
    ];

    private static LogEntry WithTexts(LogEntry e, string?[] t) => e with
    {
        Partner = t[0],
        User = t[1],
        Purpose = t[2],
        ProcessingActivity = t[3],
        RuleId = t[4],
        SignalType = t[5],
        SubjectPseudonym = t[6],
        Outcome = t[7]!,
        ReasonCode = t[8],
        Detail = t[9],
        TraceId = t[10],
        SpanId = t[11],
        ForeignTraceId = t[12],
        ForeignSpanId = t[13],
    };
}
