namespace Emotion.Orleans.Inference.Benchmarks;

/// <summary>The measurements of one modality.</summary>
internal interface IBenchSection
{
    /// <summary>text, speech or face.</summary>
    string Modality { get; }

    /// <summary>Loads the models, times every stage at every batch size and returns the rows.</summary>
    IReadOnlyList<BenchRow> Run(BenchContext context);
}
