using System.Globalization;

namespace Emotion.Orleans.Replay;

/// <summary>Command line of <c>emotion-replay</c>.</summary>
/// <param name="Folder">The recorded call folder.</param>
/// <param name="Speed">1 real time, 0 as fast as possible.</param>
/// <param name="CallId">Call id to use.</param>
/// <param name="Redis">Redis connection string of a cluster; null for an embedded silo.</param>
/// <param name="ClusterId">Cluster id (with <paramref name="Redis"/>).</param>
/// <param name="ServiceId">Service id (with <paramref name="Redis"/>).</param>
public sealed record ReplayOptions(string Folder, double Speed, string CallId, string? Redis, string ClusterId, string ServiceId)
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: emotion-replay <call-folder> [--speed <x>] [--call-id <id>] [--redis <connection> [--cluster-id <id>] [--service-id <id>]]
          --speed     1 = real time (default), 10 = ten times faster, 0 = as fast as possible
          --redis     join the cluster found through Redis; without it an embedded silo runs in this process
        """;

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An argument is missing or malformed.</exception>
    public static ReplayOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? folder = null;
        var speed = 1.0;
        string? callId = null;
        string? redis = null;
        var clusterId = "emotion";
        var serviceId = "emotion-calls";
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--speed":
                    var text = Value();
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out speed) || speed < 0)
                    {
                        throw new ArgumentException($"--speed must be a number ≥ 0; got '{text}'.");
                    }

                    break;
                case "--call-id":
                    callId = Value();
                    break;
                case "--redis":
                    redis = Value();
                    break;
                case "--cluster-id":
                    clusterId = Value();
                    break;
                case "--service-id":
                    serviceId = Value();
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || folder is not null)
                    {
                        throw new ArgumentException($"Unexpected argument '{args[i]}'.");
                    }

                    folder = args[i];
                    break;
            }
        }

        if (folder is null)
        {
            throw new ArgumentException("The call folder is missing.");
        }

        callId ??= $"{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))}-{DateTime.UtcNow:yyyyMMddHHmmss}";
        return new ReplayOptions(folder, speed, callId, redis, clusterId, serviceId);
    }
}
