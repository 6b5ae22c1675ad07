namespace Emotion.Orleans.Inference;

/// <summary>
/// Where the shipped model files sit beside the application. Every file comes from a package or
/// from the repository (see Inference/README.md); nothing is fetched at run time.
/// </summary>
public static class ModelFiles
{
    /// <summary>Folder of the converted and committed ONNX models and the default bundle.</summary>
    public static string ModelsDirectory => Path.Combine(AppContext.BaseDirectory, "Models");

    /// <summary>BlazeFace short-range face detector, converted from TF.js.</summary>
    public static string BlazeFace => Path.Combine(ModelsDirectory, "blazeface.onnx");

    /// <summary>mini-Xception FER2013 expression model, converted from TF.js.</summary>
    public static string FerExpression => Path.Combine(ModelsDirectory, "fer-expression.onnx");

    /// <summary>Silero VAD v5.</summary>
    public static string SileroVad => Path.Combine(ModelsDirectory, "silero-vad.onnx");

    /// <summary>ResNet18 ImageNet featurizer, copied from its NuGet package at build time.</summary>
    public static string ResNet18 => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>The default model bundle (everything the product learned).</summary>
    public static string DefaultBundle => Path.Combine(ModelsDirectory, "bundle");

    /// <summary>Reads a model file, with the same error as the session factory when it is missing.</summary>
    internal static byte[] Read(string path) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"ONNX model not found at '{path}'.", path);
}
