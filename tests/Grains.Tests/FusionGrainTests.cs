namespace Emotion.Orleans.Grains.Tests;

[Collection(ClusterDefinition.Name)]
public sealed class FusionGrainTests(ClusterFixture fixture)
{
    private static ModalityObservation Text(float[] logits, double endSeconds) =>
        new(InputModality.Text, new ClassLogits([.. logits]), TimeSpan.FromSeconds(endSeconds - 1), TimeSpan.FromSeconds(endSeconds), UtteranceEnd: true);

    [Fact]
    public async Task A_malformed_observation_is_refused_and_leaves_the_fused_evidence_intact()
    {
        var fusion = fixture.Client.GetGrain<IFusionGrain>($"fusion-{Guid.NewGuid():N}");
        float[] joyful = [0, 0, 0, 4, 0, 0, 0];
        var first = await fusion.Observe(Text(joyful, 1), 1);
        Assert.NotNull(first);

        await Assert.ThrowsAsync<ArgumentException>(() => fusion.Observe(Text([1, 2, 3], 2), 2));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fusion.Observe(Text(joyful, 2) with { Modality = (InputModality)7 }, 2));

        // The text evidence from before the refusals is still whole: fusing it with speech works.
        var speech = Text(joyful, 3) with { Modality = InputModality.Speech };
        var next = await fusion.Observe(speech, 3);
        Assert.NotNull(next);
        Assert.True(next.Alpha[0] > 0f && next.Alpha[1] > 0f);
        Assert.Equal(0f, next.Alpha[2]);
    }
}
