using System.Net;

namespace Emotion.Orleans.Grains.Tests;

public sealed class PlacementTests
{
    private static readonly SiloAddress Cpu = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 1);
    private static readonly SiloAddress Gpu = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11112), 1);

    [Fact]
    public void Gpu_silos_are_kept_when_the_cluster_has_one()
    {
        var kept = PreferGpuSiloPlacementFilterDirector.PreferGpu([Cpu, Gpu], s => s.Equals(Gpu));
        Assert.Equal([Gpu], kept);
    }

    [Fact]
    public void All_silos_stay_candidates_when_none_is_a_gpu_silo()
    {
        var kept = PreferGpuSiloPlacementFilterDirector.PreferGpu([Cpu, Gpu], _ => false);
        Assert.Equal([Cpu, Gpu], kept);
    }

    [Fact]
    public void Only_the_gpu_metadata_value_true_marks_a_gpu_silo()
    {
        Assert.True(PreferGpuSiloPlacementFilterDirector.IsGpuSilo(new Dictionary<string, string> { ["gpu"] = "True" }));
        Assert.False(PreferGpuSiloPlacementFilterDirector.IsGpuSilo(new Dictionary<string, string> { ["gpu"] = "false" }));
        Assert.False(PreferGpuSiloPlacementFilterDirector.IsGpuSilo(new Dictionary<string, string>()));
    }

    [Fact]
    public void Inference_workers_ask_for_gpu_preferring_placement()
    {
        Assert.All([typeof(TextWorkerGrain), typeof(SpeechWorkerGrain), typeof(FaceWorkerGrain)], t =>
            Assert.NotNull(Attribute.GetCustomAttribute(t, typeof(PreferGpuSiloAttribute))));
    }
}
