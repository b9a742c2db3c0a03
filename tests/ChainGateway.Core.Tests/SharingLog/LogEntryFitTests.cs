using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>An entry over an entry bundle's uint16 length is cut to fit, its largest text fields only, each cut marked.</summary>
public sealed class LogEntryFitTests
{
    private static LogEntry Entry(string? detail = null, string? purpose = null) => new()
    {
        Time = DateTimeOffset.UnixEpoch,
        Event = LogEvent.Denied,
        Partner = "om",
        User = "u1",
        Purpose = purpose ?? "strafrechtelijke-aanpak",
        Outcome = "denied",
        ReasonCode = "RULE_DENIED",
        Detail = detail,
    };

    [Fact]
    public void AnEntryThatFits_IsReturnedAsItIs()
    {
        var entry = Entry(new string('d', 60_000));
        Assert.Same(entry, LogEntryEncoding.FitToLimit(entry));
    }

    [Fact]
    public void AHugeDetail_IsCutToFit_KeepingItsStartAndEnd_AndTheOtherFieldsWhole()
    {
        var detail = "start:" + new string('d', 200_000) + ":end sha256:abcdef";
        var fitted = LogEntryEncoding.FitToLimit(Entry(detail));

        var length = LogEntryEncoding.Encode(fitted).Length;
        Assert.InRange(length, LogEntryEncoding.MaxEncodedLength - 100, LogEntryEncoding.MaxEncodedLength);
        Assert.StartsWith("start:ddd", fitted.Detail, StringComparison.Ordinal);
        Assert.EndsWith(":end sha256:abcdef", fitted.Detail, StringComparison.Ordinal);
        var cut = detail.Length - (fitted.Detail!.Length - MarkerOf(fitted.Detail).Length);
        Assert.Contains($" … (cut: {cut} characters) … ", fitted.Detail, StringComparison.Ordinal);
        Assert.Equal(Entry(detail) with { Detail = fitted.Detail }, fitted);
    }

    [Fact]
    public void TwoHugeFields_AreCutAlike()
    {
        var fitted = LogEntryEncoding.FitToLimit(Entry(new string('d', 200_000), new string('p', 100_000)));
        Assert.True(LogEntryEncoding.Encode(fitted).Length <= LogEntryEncoding.MaxEncodedLength);
        Assert.InRange(fitted.Detail!.Length - fitted.Purpose!.Length, -2, 2);
        Assert.Contains("(cut: ", fitted.Purpose, StringComparison.Ordinal);
        Assert.Equal("u1", fitted.User);
    }

    [Fact]
    public void ACut_NeverSplitsACharacter()
    {
        // 4-byte UTF-8 characters (surrogate pairs in .NET): a cut in the middle of one would not encode.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 40_000));
        var fitted = LogEntryEncoding.FitToLimit(Entry(emoji));
        Assert.True(LogEntryEncoding.Encode(fitted).Length <= LogEntryEncoding.MaxEncodedLength);
        var kept = fitted.Detail!.Replace(MarkerOf(fitted.Detail), "", StringComparison.Ordinal);
        Assert.Equal(string.Concat(Enumerable.Repeat("\U0001F600", kept.Length / 2)), kept);
        Assert.Contains($"(cut: {40_000 - (kept.Length / 2)} characters)", fitted.Detail, StringComparison.Ordinal);
    }

    private static string MarkerOf(string text)
    {
        var start = text.IndexOf(" … (cut: ", StringComparison.Ordinal);
        var end = text.IndexOf(" characters) … ", start, StringComparison.Ordinal) + " characters) … ".Length;
        return text[start..end];
    }
}
