namespace ChainGateway.EndToEnd.Tests;

/// <summary>
/// A node reads its configuration directory once and watches no files. The host's default (reload appsettings.json
/// on change) put a recursive inotify watch on the working directory: every directory under it (under / for a
/// systemd service), and an event to read for every write of the store when the data directory is below it.
/// </summary>
public sealed class WorkingDirectoryTests
{
    [Fact]
    public async Task ANodeStartedInADirectoryWithSubdirectories_WatchesNoneOfThem()
    {
        var root = Path.Combine(Path.GetTempPath(), "chaingw-cwd-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var certs = Path.Combine(root, "certs");
            var init = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "init", "--out", certs, "--base-port",
                ChaingwProcess.FreeBasePort(8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(init.ExitCode == 0, init.Output);
            Assert.True(Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Length >= 8);

            // The working directory holds the configuration directories and the store.
            await using var politie = new NodeProcess(Path.Combine(certs, "politie"), Path.Combine(root, "politie"), workingDirectory: root);
            await politie.StartAsync();

            Assert.Equal(0, InotifyWatches(politie.Id));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // best effort
            }
        }
    }

    /// <summary>The number of inotify watches the process holds, from /proc/&lt;pid&gt;/fdinfo.</summary>
    private static int InotifyWatches(int pid)
    {
        var watches = 0;
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:inotify")
                {
                    watches += File.ReadLines($"/proc/{pid}/fdinfo/{Path.GetFileName(fd)}")
                        .Count(line => line.StartsWith("inotify ", StringComparison.Ordinal));
                }
            }
            catch (IOException)
            {
                // Closed between the listing and the read (a connection, a file the node opened for a moment).
            }
        }
        return watches;
    }
}
