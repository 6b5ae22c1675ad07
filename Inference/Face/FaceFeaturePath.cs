namespace Emotion.Orleans.Inference;

/// <summary>Which model turns a face crop into class logits.</summary>
public enum FaceFeaturePath
{
    /// <summary>ImageNet ResNet18 features (512-d) → the bundle's learned face head.</summary>
    ResNet18,

    /// <summary>The pretrained FER2013 mini-Xception: its log-probabilities are the logits (optionally recalibrated by a head).</summary>
    FerExpression,
}
