namespace Emotion.Orleans.Inference;

/// <summary>
/// A model bundle that cannot be used: missing or malformed files, or learned parts trained
/// against other encoder weights than the ones loaded.
/// </summary>
public sealed class ModelBundleException : Exception
{
    /// <summary>Creates the error.</summary>
    public ModelBundleException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the error with its cause.</summary>
    public ModelBundleException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
