namespace Emotion.Orleans.Training;

/// <summary>Entry point of the training and evaluation command.</summary>
public static class Program
{
    /// <summary>Runs the command.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: emotion-train <train|evaluate> [options]");
        return args.Length == 0 ? 2 : 0;
    }
}
