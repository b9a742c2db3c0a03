using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// A partner node misbehaving on the wire (installed in its services): the first middleware of its pipeline buffers the
/// answer to GET /log/checkpoint, a level-0 hash tile or an entry bundle and, while a rewrite is set, serves the rewritten
/// bytes instead; or it answers a path itself (<see cref="Override"/>).
/// </summary>
internal sealed class MisbehavingPartner : IStartupFilter
{
    private volatile Func<string, string>? checkpoint;
    private volatile Func<byte[], byte[]>? hashTile;
    private int tilesAltered;

    /// <summary>Rewrites the served checkpoint note (with its cosignature lines); null serves it as is.</summary>
    public Func<string, string>? CheckpointRewrite { get => checkpoint; set => checkpoint = value; }

    /// <summary>Rewrites a served level-0 hash tile; null serves it as is.</summary>
    public Func<byte[], byte[]>? HashTileRewrite { get => hashTile; set => hashTile = value; }

    /// <summary>Rewrites a served entry bundle (asked for without gzip, so the rewrite sees the entries); null serves it as is.</summary>
    public Func<byte[], byte[]>? EntryBundleRewrite { get; set; }

    /// <summary>When set, every level-0 hash tile is answered with this status and no body.</summary>
    public int? HashTileStatus { get; set; }

    /// <summary>
    /// When set, every request whose path starts with <c>Path</c> is answered by <c>Answer</c> alone (the partner's endpoint
    /// is not called): an endless body, say.
    /// </summary>
    public (string Path, Func<HttpContext, Task> Answer)? Override { get; set; }

    /// <summary>The path and Accept-Encoding header of every request to the log, in order.</summary>
    public ConcurrentQueue<(string Path, string AcceptEncoding)> Requests { get; } = new();

    /// <summary>How many hash tiles were served rewritten.</summary>
    public int TilesAltered => Volatile.Read(ref tilesAltered);

    public Action<IServiceCollection> Install => services => services.AddSingleton<IStartupFilter>(this);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path.StartsWithSegments("/log", StringComparison.Ordinal))
            {
                Requests.Enqueue((context.Request.Path.Value!, context.Request.Headers.AcceptEncoding.ToString()));
            }
            if (Override is { } answer && context.Request.Path.StartsWithSegments(answer.Path, StringComparison.Ordinal))
            {
                await answer.Answer(context);
                return;
            }
            if (HashTileStatus is { } status && context.Request.Path.StartsWithSegments("/log/tile/0", StringComparison.Ordinal))
            {
                context.Response.StatusCode = status;
                return;
            }
            var rewrite = RewriteFor(context.Request);
            if (rewrite is null)
            {
                await nextMiddleware(context);
                return;
            }
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            try
            {
                await nextMiddleware(context);
            }
            finally
            {
                context.Response.Body = original;
            }
            var bytes = context.Response.StatusCode == StatusCodes.Status200OK ? rewrite(buffer.ToArray()) : buffer.ToArray();
            context.Response.ContentLength = bytes.Length;
            await original.WriteAsync(bytes, context.RequestAborted);
        });
        next(app);
    };

    /// <summary>
    /// Writes <paramref name="length"/> zero bytes and then never ends the body: it stays open until the reader hangs up
    /// (or the node stops).
    /// </summary>
    public static async Task EndlessAsync(HttpContext context, long length, long? announced)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = announced;
        var hungUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = context.RequestAborted.Register(() => hungUp.TrySetResult());
        try
        {
            var chunk = new byte[64 * 1024];
            for (long written = 0; written < length; written += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await hungUp.Task;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The reader hung up, as it should.
        }
    }

    private Func<byte[], byte[]>? RewriteFor(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method))
        {
            return null;
        }
        if (request.Path == "/log/checkpoint" && CheckpointRewrite is { } note)
        {
            return bytes => System.Text.Encoding.UTF8.GetBytes(note(System.Text.Encoding.UTF8.GetString(bytes)));
        }
        if (request.Path.StartsWithSegments("/log/tile/entries", StringComparison.Ordinal) && EntryBundleRewrite is { } bundle)
        {
            request.Headers.AcceptEncoding = default;
            return bundle;
        }
        if (request.Path.StartsWithSegments("/log/tile/0", StringComparison.Ordinal) && HashTileRewrite is { } tile)
        {
            return bytes =>
            {
                Interlocked.Increment(ref tilesAltered);
                return tile(bytes);
            };
        }
        return null;
    }
}
