namespace ChainGateway.Node.Peer;

/// <summary>W3C Trace Context traceparent: "00-&lt;32 hex trace id&gt;-&lt;16 hex span id&gt;-&lt;2 hex flags&gt;".</summary>
internal static class TraceParent
{
    public static (string? TraceId, string? SpanId) Parse(string? value)
    {
        if (value is null || value.Length != 55 || value[2] != '-' || value[35] != '-' || value[52] != '-')
        {
            return (null, null);
        }
        return (value[3..35], value[36..52]);
    }
}
