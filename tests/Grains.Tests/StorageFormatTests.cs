using Emotion.Orleans.Silo;
using Orleans.Serialization;
using Orleans.Storage;

namespace Emotion.Orleans.Grains.Tests;

/// <summary>The format the cluster's grain storage keeps call state in.</summary>
[Collection(ClusterDefinition.Name)]
public sealed class StorageFormatTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Cluster_storage_writes_call_state_in_binary_and_still_reads_state_an_earlier_version_wrote_as_json()
    {
        var id = $"call-{Guid.NewGuid():N}";
        var call = fixture.Client.GetGrain<ICallSessionGrain>(id);
        await call.StartCall();
        var result = Assert.IsType<FusedResult>(await call.SendText(new TranscriptSegment(id, Speaker.Customer, "You charged me twice and nobody answers my emails!", TimeSpan.Zero, TimeSpan.FromSeconds(2))));
        await call.EndCall();
        var state = new CallSessionState { State = CallState.Ended, Results = [result], RejectedInputs = 2 };
        var json = fixture.SiloService<IGrainStorageSerializer>();
        var storage = StorageSerializers.BinaryReadingPrevious(fixture.SiloService<Serializer>(), json);

        var written = storage.Serialize(state);
        var earlier = json.Serialize(state);

        Assert.NotEqual((byte)'{', written.ToMemory().Span[0]);
        Assert.Equal((byte)'{', earlier.ToMemory().Span[0]);
        Assert.True(written.ToMemory().Length * 4 < earlier.ToMemory().Length, $"binary {written.ToMemory().Length} B, JSON {earlier.ToMemory().Length} B");
        foreach (var read in new[] { storage.Deserialize<CallSessionState>(written), storage.Deserialize<CallSessionState>(earlier) })
        {
            Assert.NotNull(read);
            Assert.Equal(CallState.Ended, read.State);
            Assert.Equal(2, read.RejectedInputs);
            var stored = Assert.Single(read.Results);
            Assert.Equal((result.CallId, result.Sequence, result.Emotion, result.Reply?.Text), (stored.CallId, stored.Sequence, stored.Emotion, stored.Reply?.Text));
            Assert.Equal(result.Alpha.ToArray(), stored.Alpha.ToArray());
            Assert.Equal(result.Distribution.Probabilities.ToArray(), stored.Distribution.Probabilities.ToArray());
        }
    }
}
