using System.Collections.Concurrent;
using ChainGateway.Core.Subjects;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>The subject index's lookups: a small pool of read connections kept open with their statement prepared.</summary>
public sealed partial class SqliteNodeStore
{
    // Idle lookup connections kept: enough for the thread pool's concurrent answers on a small machine.
    private const int MaxIdleSubjectLookups = 16;

    // Page cache per lookup connection, KiB (SQLite's default is 2,000): see SubjectLookup.
    private const int LookupCacheKib = 256;
    private readonly ConcurrentBag<SubjectLookup> subjectLookups = [];
    private bool subjectLookupsDisposed;

    /// <summary>
    /// One primary-key read per candidate, on a read connection of the subject index's own that stays open with its
    /// statement prepared: a match is answered on the hot path, and a pooled open plus a fresh prepare cost more than
    /// the read itself. Each read runs in its own implicit transaction (no reader stays open between calls), so it sees
    /// every write committed before it started, as a fresh connection would.
    /// </summary>
    public Task<SubjectHit?> FindSubjectAsync(string partner, IReadOnlyList<(byte[] Pseudonym, string Generation)> candidates,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        cancellationToken.ThrowIfCancellationRequested();
        var lookup = RentSubjectLookup();
        try
        {
            var hit = lookup.Find(partner, candidates);
            ReturnSubjectLookup(lookup);
            return Task.FromResult(hit);
        }
        catch
        {
            // A connection in an unknown state is not reused.
            lookup.Dispose();
            throw;
        }
    }

    private SubjectLookup RentSubjectLookup()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref subjectLookupsDisposed), this);
        return subjectLookups.TryTake(out var lookup)
            ? lookup
            : new SubjectLookup(new SqliteConnectionStringBuilder(readConnectionString) { Pooling = false }.ToString());
    }

    private void ReturnSubjectLookup(SubjectLookup lookup)
    {
        if (subjectLookups.Count >= MaxIdleSubjectLookups)
        {
            lookup.Dispose();
            return;
        }
        subjectLookups.Add(lookup);
        // Lost a race with DisposeSubjectLookups: nobody else will close it.
        if (Volatile.Read(ref subjectLookupsDisposed))
        {
            DisposeSubjectLookups();
        }
    }

    /// <summary>Closes the subject index's read connections (from DisposeAsync).</summary>
    private void DisposeSubjectLookups()
    {
        Volatile.Write(ref subjectLookupsDisposed, true);
        while (subjectLookups.TryTake(out var lookup))
        {
            lookup.Dispose();
        }
    }

    /// <summary>An open read connection with the lookup statement prepared; used by one caller at a time.</summary>
    private sealed class SubjectLookup : IDisposable
    {
        private readonly SqliteConnection connection;
        private readonly SqliteCommand command;
        private readonly SqliteParameter partner;
        private readonly SqliteParameter pseudonym;
        private readonly SqliteParameter generation;

        public SubjectLookup(string connectionString)
        {
            connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                // A small page cache per lookup connection: the lookups' pages are random leaves of two large B-trees, which
                // a cache of SQLite's default 2 MiB hardly ever holds again (at 1,000,000 subjects the trees have ~40,000
                // leaves), while the OS's page cache holds them once for all connections. The default cost every
                // connection 2 MiB of the process's memory, ~14 MB with the seven a busy answerer keeps open.
                using (var pragma = Command(connection, $"PRAGMA cache_size = -{LookupCacheKib};"))
                {
                    pragma.ExecuteNonQuery();
                }
                // Still one primary-key read: the generation is a column of the row (partner, pseudonym) names, compared,
                // not searched. Without it a pseudonym of one key pair sent under another's key ids would hit too, and one
                // query (one token of the rate limit) would carry a guess per valid key pair (DESIGN.md §6).
                command = Command(connection, """
                    SELECT s.subject_key, s.contact FROM subject_pseudonyms p JOIN subjects s ON s.subject_key = p.subject_key
                    WHERE p.partner = $partner AND p.pseudonym = $pseudonym AND p.generation = $generation
                    """);
                partner = command.Parameters.Add("$partner", SqliteType.Text);
                pseudonym = command.Parameters.Add("$pseudonym", SqliteType.Blob);
                generation = command.Parameters.Add("$generation", SqliteType.Text);
                command.Prepare();
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public SubjectHit? Find(string partnerId, IReadOnlyList<(byte[] Pseudonym, string Generation)> candidates)
        {
            partner.Value = partnerId;
            foreach (var (value, generationId) in candidates)
            {
                pseudonym.Value = value;
                generation.Value = generationId;
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    return new SubjectHit((byte[])reader[0], (byte[])reader[1]);
                }
            }
            return null;
        }

        public void Dispose()
        {
            command.Dispose();
            connection.Dispose();
        }
    }
}
