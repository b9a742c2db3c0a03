using System.Diagnostics;

namespace ChainGateway.Node.Peer;

/// <summary>W3C Trace Context traceparent: "00-&lt;32 hex trace id&gt;-&lt;16 hex span id&gt;-&lt;2 hex flags&gt;".</summary>
internal static class TraceParent
{
    /// <summary>
    /// The trace and span id of a valid traceparent (lower-case hex, as the W3C format has them), or nulls: a sender's
    /// header is kept in the sharing log only when it is one.
    /// </summary>
    public static (string? TraceId, string? SpanId) Parse(string? value) =>
        ActivityContext.TryParse(value, null, out var parent) ? (parent.TraceId.ToHexString(), parent.SpanId.ToHexString()) : (null, null);
}
