using System.Globalization;
using Emotion.Orleans.Grains;

namespace Emotion.Orleans.Replay;

/// <summary>
/// A recorded call folder: <c>transcript.tsv</c> (start seconds, end seconds, speaker, text; <c>#</c>
/// comments), <c>audio.wav</c> (mono PCM16 at 16 kHz, or a rate the speech path resamples) and <c>frames/</c> (JPEG/PNG named by their
/// offset in milliseconds, e.g. <c>001500.png</c>). Every part is optional.
/// </summary>
public sealed class RecordedCall
{
    /// <summary>Length of the audio chunks the replay sends.</summary>
    public static readonly TimeSpan ChunkLength = TimeSpan.FromMilliseconds(100);

    private RecordedCall(IReadOnlyList<ReplayEvent> events) => Events = events;

    /// <summary>Everything to send, in the order it becomes available during the call.</summary>
    public IReadOnlyList<ReplayEvent> Events { get; }

    /// <summary>Reads the folder.</summary>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static RecordedCall Load(string folder, string callId)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"No call folder at {folder}.");
        }

        List<ReplayEvent> events = [];
        var transcript = Path.Combine(folder, "transcript.tsv");
        if (File.Exists(transcript))
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(transcript))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
                {
                    continue;
                }

                var parts = line.Split('\t', 4);
                if (parts.Length != 4
                    || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
                    || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var end)
                    || !Enum.TryParse<Speaker>(parts[2], ignoreCase: true, out var speaker))
                {
                    throw new InvalidDataException($"{transcript}:{lineNumber}: expected 'start<TAB>end<TAB>customer|agent<TAB>text'.");
                }

                var segment = new TranscriptSegment(callId, speaker, parts[3], TimeSpan.FromSeconds(start), TimeSpan.FromSeconds(end));

                // A transcript segment exists once it has been spoken: send it at its end.
                events.Add(new ReplayEvent(segment.End, Segment: segment));
            }
        }

        var wav = Path.Combine(folder, "audio.wav");
        if (File.Exists(wav))
        {
            var (pcm, rate) = WaveFile.ReadPcm16Mono(wav);
            var chunkBytes = (int)(rate * ChunkLength.TotalSeconds) * 2;
            for (var offset = 0; offset < pcm.Length; offset += chunkBytes)
            {
                var chunk = new AudioChunk(callId, pcm[offset..Math.Min(pcm.Length, offset + chunkBytes)], rate, TimeSpan.FromSeconds(offset / 2.0 / rate));
                events.Add(new ReplayEvent(chunk.Start + chunk.Duration, Audio: chunk));
            }
        }

        var frames = Path.Combine(folder, "frames");
        if (Directory.Exists(frames))
        {
            foreach (var file in Directory.EnumerateFiles(frames).Order(StringComparer.Ordinal))
            {
                var extension = Path.GetExtension(file).ToLowerInvariant();
                if (extension is not (".png" or ".jpg" or ".jpeg"))
                {
                    continue;
                }

                if (!long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                {
                    throw new InvalidDataException($"{file}: frame files are named by their offset in milliseconds (e.g. 001500.png).");
                }

                var at = TimeSpan.FromMilliseconds(ms);
                events.Add(new ReplayEvent(at, Frame: new VideoFrame(callId, File.ReadAllBytes(file), at)));
            }
        }

        return new RecordedCall([.. events.OrderBy(e => e.At)]);
    }
}

/// <summary>One input of a replay and the call time at which it becomes available.</summary>
/// <param name="At">Call time.</param>
/// <param name="Segment">A transcript segment, or null.</param>
/// <param name="Audio">An audio chunk, or null.</param>
/// <param name="Frame">A video frame, or null.</param>
public sealed record ReplayEvent(TimeSpan At, TranscriptSegment? Segment = null, AudioChunk? Audio = null, VideoFrame? Frame = null);
