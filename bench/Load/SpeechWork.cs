using Emotion.Orleans.Grains;
using Emotion.Orleans.Inference;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>The speech work of a call as its session and worker do it, for the ceiling and the same-batch replay.</summary>
internal static class SpeechWork
{
    /// <summary>The utterances a fresh call segmenter finds in one call's audio chunks.</summary>
    public static List<float[]> Segment(ISpeechSegmenterFactory segmenters, IEnumerable<float[]> chunks)
    {
        var segmenter = segmenters.Create();
        List<float[]> utterances = [];
        foreach (var samples in chunks)
        {
            utterances.AddRange(segmenter.Push(samples).Select(u => u.Samples));
        }

        utterances.AddRange(segmenter.Flush().Select(u => u.Samples));
        return utterances;
    }

    /// <summary>Recognises a batch; as in the worker, a refused segment (e.g. too short) fails alone and is skipped.</summary>
    public static void Recognize(ISpeechRecognizer speech, IReadOnlyList<float[]> batch)
    {
        try
        {
            speech.Recognize(batch);
        }
        catch (InvalidInputException)
        {
            foreach (var one in batch)
            {
                try
                {
                    speech.Recognize([one]);
                }
                catch (InvalidInputException)
                {
                    // Skipped by the call as well.
                }
            }
        }
    }
}
