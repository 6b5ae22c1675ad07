using Emotion.Orleans.Inference;

namespace Emotion.Orleans.LoadGenerator;

/// <summary>The speech work of a call as its session and worker do it, for the ceiling and the same-batch replay.</summary>
internal static class SpeechWork
{
    /// <summary>
    /// The utterances fresh call segmenters find in their calls' audio chunks, the calls' windows
    /// scored together as the silo's VAD batching does: chunk <c>k</c> of every call, then chunk
    /// <c>k + 1</c>, each chunk's windows in batched runs across the calls (one call: runs of one window).
    /// </summary>
    /// <param name="segmenters">Inference's segmenter factory (the silo's VAD and options).</param>
    /// <param name="calls">Each call's chunks, in order.</param>
    /// <returns>Each call's utterances.</returns>
    public static List<float[]>[] Segment(SpeechSegmenterFactory segmenters, IReadOnlyList<IReadOnlyList<float[]>> calls)
    {
        var streams = calls.Select(_ => segmenters.Create()).ToArray();
        var found = calls.Select(_ => new List<float[]>()).ToArray();
        var scorer = new LockstepVoiceActivityScorer(segmenters.Vad);
        var chunks = calls.Count == 0 ? 0 : calls.Max(c => c.Count);
        var pushes = new Task<IReadOnlyList<SpeechSegment>>[calls.Count];
        for (var k = 0; k < chunks; k++)
        {
            for (var c = 0; c < calls.Count; c++)
            {
                pushes[c] = k < calls[c].Count ? streams[c].PushAsync(calls[c][k], scorer).AsTask() : Task.FromResult<IReadOnlyList<SpeechSegment>>([]);
            }

            scorer.Run();
            for (var c = 0; c < calls.Count; c++)
            {
                // Scored by Run above: these have completed.
                found[c].AddRange(pushes[c].GetAwaiter().GetResult().Select(u => u.Samples));
            }
        }

        for (var c = 0; c < calls.Count; c++)
        {
            found[c].AddRange(streams[c].Flush().Select(u => u.Samples));
        }

        return found;
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
