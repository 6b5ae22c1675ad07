namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>What every section shares: the options, the session factory, the bundle if one loads, and the notes printed under the table.</summary>
internal sealed class BenchContext(BenchOptions options, OnnxSessionFactory sessions, ModelBundle? bundle)
{
    private readonly List<string> _notes = [];

    public BenchOptions Options { get; } = options;

    public OnnxSessionFactory Sessions { get; } = sessions;

    /// <summary>The default bundle, or null when it is absent or does not load (the heads are then not measured).</summary>
    public ModelBundle? Bundle { get; } = bundle;

    public IReadOnlyList<string> Notes => _notes;

    public void Note(string modality, string line)
    {
        _notes.Add($"{modality}: {line}");
        Console.WriteLine($"  [{modality}] {line}");
    }
}
