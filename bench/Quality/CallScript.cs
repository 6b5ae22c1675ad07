using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;
using Emotion.Orleans.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Orleans.QualityCheck;

/// <summary>How a paired call is turned into live inputs.</summary>
/// <param name="FramesPerSecond">Video frames per second over each clip's span.</param>
/// <param name="Pause">Silence after each clip (and before the first), so voice-activity detection ends the utterance.</param>
/// <param name="AudioChunk">Length of each audio chunk sent.</param>
/// <param name="TranscriptDelay">How long after the clip's end its transcript segment arrives (a recognizer's latency).</param>
public sealed record ScriptSettings(double FramesPerSecond, TimeSpan Pause, TimeSpan AudioChunk, TimeSpan TranscriptDelay)
{
    /// <summary>The defaults of the command: 2 frames/s, 1 s pauses, 100 ms chunks, transcripts 200 ms after the speech.</summary>
    public static ScriptSettings Default { get; } = new(2, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
}

/// <summary>Where a segment lies on the call's clock.</summary>
/// <param name="Start">The clip's first sample.</param>
/// <param name="SpeechEnd">The clip's last sample.</param>
/// <param name="End">The end of the pause after the clip: the segment owns [Start, End).</param>
public sealed record SegmentSpan(TimeSpan Start, TimeSpan SpeechEnd, TimeSpan End)
{
    /// <summary>
    /// True when evidence covering [<paramref name="from"/>, <paramref name="to"/>] belongs to this
    /// segment: its midpoint lies in [Start, End) (voice-activity padding may reach a little into the pause before).
    /// </summary>
    public bool Covers(TimeSpan from, TimeSpan to) => from + ((to - from) / 2) is var middle && middle >= Start && middle < End;
}

/// <summary>One input of a scripted call: exactly one of audio, frame or transcript.</summary>
/// <param name="Segment">The segment it belongs to.</param>
/// <param name="At">When it exists on the call's clock (end of an audio chunk, a frame's time, transcript arrival).</param>
/// <param name="Audio">An audio chunk.</param>
/// <param name="Frame">A video frame.</param>
/// <param name="Text">A transcript segment.</param>
public sealed record ScriptedInput(int Segment, TimeSpan At, AudioChunk? Audio = null, VideoFrame? Frame = null, TranscriptSegment? Text = null);

/// <summary>A paired call as the ordered inputs a live call would send.</summary>
/// <param name="CallId">The call id the inputs carry.</param>
/// <param name="Spans">Each segment's span, by segment index.</param>
/// <param name="Inputs">The inputs, in the order they exist.</param>
public sealed record CallScript(string CallId, IReadOnlyList<SegmentSpan> Spans, IReadOnlyList<ScriptedInput> Inputs)
{
    private const int FrameWidth = 640;
    private const int FrameHeight = 480;

    // FER2013 faces are 48 px; on camera a customer's face is a few hundred pixels tall.
    private const int FaceSide = 192;

    /// <summary>
    /// The customer speaks each segment's clip (16 kHz PCM16, continuous, silence in the pauses),
    /// is on camera with the segment's face over the clip's span (a 640×480 JPEG, the face moving a
    /// little from frame to frame), and the segment's line arrives as the transcript of the clip.
    /// </summary>
    /// <exception cref="InvalidInputException">A clip cannot be read as audio.</exception>
    public static CallScript Render(string callId, PairedCall call, ScriptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(settings);
        var inputs = new List<ScriptedInput>();
        var spans = new List<SegmentSpan>();
        var audio = new List<float>();
        var owners = new List<(TimeSpan End, int Segment)>();
        audio.AddRange(new float[PcmAudio.Samples(settings.Pause)]);
        foreach (var segment in call.Segments)
        {
            var start = Time(audio.Count);
            var clip = RavdessClips.ReadWav(segment.Clip.Content);
            audio.AddRange(clip);
            var speechEnd = Time(audio.Count);
            audio.AddRange(new float[PcmAudio.Samples(settings.Pause)]);
            var span = new SegmentSpan(spans.Count == 0 ? TimeSpan.Zero : start, speechEnd, Time(audio.Count));
            spans.Add(span);
            owners.Add((span.End, segment.Index));

            using var face = Image.Load<Rgb24>(segment.Face.Content);
            face.Mutate(c => c.Resize(FaceSide, FaceSide, KnownResamplers.Bicubic));
            var step = TimeSpan.FromSeconds(1 / settings.FramesPerSecond);
            var frame = 0;
            for (var at = start; at < speechEnd; at += step, frame++)
            {
                inputs.Add(new ScriptedInput(segment.Index, at, Frame: new VideoFrame(callId, Frame(face, segment.Index, frame), at)));
            }

            var line = new TranscriptSegment(callId, Speaker.Customer, segment.Line.Content, start, speechEnd);
            inputs.Add(new ScriptedInput(segment.Index, speechEnd + settings.TranscriptDelay, Text: line));
        }

        var chunk = PcmAudio.Samples(settings.AudioChunk);
        for (var offset = 0; offset < audio.Count; offset += chunk)
        {
            var length = Math.Min(chunk, audio.Count - offset);
            var begins = Time(offset);
            var owner = owners.First(o => begins < o.End).Segment;
            var pcm = Pcm16(audio, offset, length);
            inputs.Add(new ScriptedInput(owner, Time(offset + length), Audio: new AudioChunk(callId, pcm, PcmAudio.SampleRate, begins)));
        }

        // Stable: at the same instant audio comes before the frame and the transcript that follow it.
        var ordered = inputs.Select((input, i) => (input, i)).OrderBy(p => p.input.At).ThenBy(p => p.input.Audio is null).ThenBy(p => p.i).Select(p => p.input).ToArray();
        return new CallScript(callId, spans, ordered);
    }

    // The session grain's own sample clock, so spans and result windows compare exactly.
    private static TimeSpan Time(int samples) => PcmAudio.Duration(samples);

    private static byte[] Pcm16(List<float> samples, int offset, int count)
    {
        var bytes = new byte[count * 2];
        for (var i = 0; i < count; i++)
        {
            var value = (short)Math.Clamp(MathF.Round(samples[offset + i] * 32767f), short.MinValue, short.MaxValue);
            bytes[2 * i] = (byte)value;
            bytes[(2 * i) + 1] = (byte)(value >> 8);
        }

        return bytes;
    }

    /// <summary>A 640×480 JPEG: a soft gradient background with the face at a place that drifts from frame to frame.</summary>
    private static byte[] Frame(Image<Rgb24> face, int segment, int index)
    {
        using var canvas = new Image<Rgb24>(FrameWidth, FrameHeight);
        canvas.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = new Rgb24((byte)(90 + (x * 60 / FrameWidth)), (byte)(110 + (y * 50 / FrameHeight)), 140);
                }
            }
        });
        var left = 120 + ((segment * 67) % 200) + ((index * 7) % 24);
        var top = 60 + ((segment * 41) % 140) + ((index * 5) % 16);
        canvas.Mutate(c => c.DrawImage(face, new Point(left, top), 1f));
        using var stream = new MemoryStream();
        canvas.SaveAsJpeg(stream, new JpegEncoder { Quality = 90 });
        return stream.ToArray();
    }
}
