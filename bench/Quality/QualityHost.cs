using System.Diagnostics;
using System.Text.Json;
using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Emotion.Orleans.QualityCheck;

/// <summary>The embedded silo the check replays through, and facts about the run for the report.</summary>
public static class QualityHost
{
    /// <summary>File name of the silo's configuration copied beside the binaries.</summary>
    public const string SiloSettings = "silo.appsettings.json";

    /// <summary>
    /// A host with one embedded silo registered as the product registers it: the inference of the
    /// configured bundle (<see cref="InferenceServiceCollectionExtensions.AddEmotionInference"/>) and
    /// the call grains (<see cref="EmotionCallsHostingExtensions.AddEmotionCalls"/>), configured by the
    /// silo's <c>appsettings.json</c>, then environment variables, then <paramref name="overrides"/>.
    /// </summary>
    public static IHost Build(IReadOnlyDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });

        // Lowest precedence: the silo's settings, under environment variables and the overrides.
        var siloSettings = new JsonConfigurationSource { Path = Path.Combine(AppContext.BaseDirectory, SiloSettings), Optional = true };
        siloSettings.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, siloSettings);
        builder.Configuration.AddInMemoryCollection(overrides);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The silo's settings log calls at Information; the check reports per run, not per call.
        builder.Logging.AddFilter((string?)null, LogLevel.Warning);

        // The check prints figures: Orleans' start-up advice is noise here; a failed start is reported by the command.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);

        // Stream pulling agents report the cancellation of their reads while the host stops.
        builder.Logging.AddFilter("Orleans.Streams", LogLevel.Critical);
        builder.Logging.AddFilter("Orleans.Providers", LogLevel.Critical);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddEmotionInference(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            // Ports of their own so the check can run beside a local silo or the replay.
            silo.UseLocalhostClustering(siloPort: 11411, gatewayPort: 30400);
            silo.AddMemoryGrainStorage(CallStreams.Storage);
            silo.AddEmotionCallStreams();
            silo.AddEmotionCalls(builder.Configuration);
        });
        return builder.Build();
    }

    /// <summary>The bundle folder with its creation time and training commit (from its manifest), for the report.</summary>
    public static string DescribeBundle(string bundlePath)
    {
        ArgumentNullException.ThrowIfNull(bundlePath);
        var manifest = Path.Combine(bundlePath, "manifest.json");
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(bundlePath));
        if (!File.Exists(manifest))
        {
            return $"{name} (no manifest)";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(manifest));
        var root = document.RootElement;
        var created = root.TryGetProperty("createdUtc", out var c) ? c.GetString() : null;
        var commit = root.TryGetProperty("training", out var t) && t.TryGetProperty("commit", out var tc) ? tc.GetString() : null;
        return $"`{name}` (created {created ?? "?"}, trained at commit {(commit is { Length: > 12 } ? commit[..12] : commit ?? "?")})";
    }

    /// <summary>The repository's commit (with <c>-dirty</c> when tracked files changed), "unknown" without git.</summary>
    public static string CommitOf(string folder)
    {
        string? Git(string arguments)
        {
            try
            {
                using var git = Process.Start(new ProcessStartInfo("git", arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
                if (git is null)
                {
                    return null;
                }

                var output = git.StandardOutput.ReadToEnd().Trim();
                return git.WaitForExit(10_000) && git.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        var head = Git("rev-parse --short=12 HEAD");
        return head is null ? "unknown" : Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? $"{head}-dirty" : head;
    }

    /// <summary>The results folder: <c>bench/results</c> of the repository above <paramref name="start"/>, else under it.</summary>
    public static string DefaultFolder(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Emotion.Orleans.sln")))
            {
                return Path.Combine(dir.FullName, "bench", "results");
            }
        }

        return Path.Combine(start, "bench", "results");
    }
}
