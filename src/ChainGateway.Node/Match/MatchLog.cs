namespace ChainGateway.Node.Match;

/// <summary>Source-generated log messages of subject matching (event ids 1150–1199). Never a BSN, a local id or a key.</summary>
internal static partial class MatchLog
{
    [LoggerMessage(EventId = 1150, EventName = "MatchAsked", Level = LogLevel.Debug,
        Message = "Asked {Partner} about a subject for '{Purpose}' under rule {RuleId}: {Outcome}")]
    public static partial void Asked(ILogger logger, string partner, string purpose, string ruleId, string outcome);

    [LoggerMessage(EventId = 1151, EventName = "MatchAnswered", Level = LogLevel.Debug,
        Message = "Answered {Partner} about a subject for '{Purpose}' under rule {RuleId}: {Outcome} (log index {LogIndex})")]
    public static partial void Answered(ILogger logger, string partner, string purpose, string ruleId, string outcome, long logIndex);

    [LoggerMessage(EventId = 1152, EventName = "MatchRefused", Level = LogLevel.Warning,
        Message = "Refused a match question from {Partner}: {Reason} — {Detail}")]
    public static partial void Refused(ILogger logger, string partner, string reason, string detail);

    [LoggerMessage(EventId = 1153, EventName = "MatchIndexBuildStarted", Level = LogLevel.Information,
        Message = "Building the match index for {Partner}, pseudonym keys {Generation}: {Total} subject(s)")]
    public static partial void BuildStarted(ILogger logger, string partner, string generation, long total);

    [LoggerMessage(EventId = 1154, EventName = "MatchIndexBuildProgress", Level = LogLevel.Information,
        Message = "Match index for {Partner}, pseudonym keys {Generation}: {Indexed} of {Total} subject(s) after {ElapsedMs} ms")]
    public static partial void BuildProgress(ILogger logger, string partner, string generation, long indexed, long total, long elapsedMs);

    [LoggerMessage(EventId = 1155, EventName = "MatchIndexBuilt", Level = LogLevel.Information,
        Message = "Match index for {Partner}, pseudonym keys {Generation} built: {Indexed} subject(s) in {ElapsedMs} ms")]
    public static partial void Built(ILogger logger, string partner, string generation, long indexed, long elapsedMs);

    [LoggerMessage(EventId = 1156, EventName = "MatchIndexGenerationsDropped", Level = LogLevel.Information,
        Message = "Dropped {Rows} index row(s) of expired pseudonym keys for {Partner}")]
    public static partial void Dropped(ILogger logger, string partner, int rows);

    [LoggerMessage(EventId = 1157, EventName = "MatchIndexBuildFailed", Level = LogLevel.Error,
        Message = "The match index build hit an unexpected error; it is tried again at the next check")]
    public static partial void BuildFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1158, EventName = "SubjectUnreadable", Level = LogLevel.Warning,
        Message = "A subject of the index does not open with this node's index key; it is left out of the build")]
    public static partial void SubjectUnreadable(ILogger logger);
}
