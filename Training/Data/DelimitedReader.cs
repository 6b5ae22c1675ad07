using System.Text;

namespace Emotion.Orleans.Training;

/// <summary>
/// RFC 4180 reader for comma- or tab-separated files: quoted fields may hold the delimiter, doubled
/// quotes and line breaks; records end at CRLF, LF or end of input; a UTF-8 BOM is skipped.
/// </summary>
public static class DelimitedReader
{
    /// <summary>Reads every record of <paramref name="reader"/>.</summary>
    /// <exception cref="FormatException">A quoted field is not closed, or text follows a closing quote.</exception>
    public static IEnumerable<string[]> Read(TextReader reader, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadIterator(reader, delimiter);
    }

    /// <summary>Reads every record of a UTF-8 file.</summary>
    public static IEnumerable<string[]> ReadFile(string path, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadFileIterator(path, delimiter);
    }

    /// <summary>Reads every record of a string.</summary>
    public static IReadOnlyList<string[]> Parse(string text, char delimiter = ',')
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StringReader(text);
        return [.. ReadIterator(reader, delimiter)];
    }

    private static IEnumerable<string[]> ReadFileIterator(string path, char delimiter)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        foreach (var record in ReadIterator(reader, delimiter))
        {
            yield return record;
        }
    }

    private static IEnumerable<string[]> ReadIterator(TextReader reader, char delimiter)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1L;
        var atRecordStart = true;
        while (true)
        {
            var c = reader.Read();
            if (c == -1)
            {
                if (!atRecordStart)
                {
                    fields.Add(field.ToString());
                    yield return [.. fields];
                }

                yield break;
            }

            atRecordStart = false;
            if (c == '"' && field.Length == 0)
            {
                ReadQuoted(reader, field, ref line);
                // After the closing quote only a delimiter or a record end may follow.
                var next = reader.Peek();
                if (next != -1 && next != delimiter && next != '\r' && next != '\n')
                {
                    throw new FormatException($"Line {line}: unexpected '{(char)next}' after a closing quote.");
                }

                continue;
            }

            if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' || c == '\n')
            {
                if (c == '\r' && reader.Peek() == '\n')
                {
                    reader.Read();
                }

                fields.Add(field.ToString());
                field.Clear();
                yield return [.. fields];
                fields.Clear();
                atRecordStart = true;
                line++;
            }
            else
            {
                field.Append((char)c);
            }
        }
    }

    private static void ReadQuoted(TextReader reader, StringBuilder field, ref long line)
    {
        var startLine = line;
        while (true)
        {
            var c = reader.Read();
            if (c == -1)
            {
                throw new FormatException($"Line {startLine}: quoted field is not closed.");
            }

            if (c == '"')
            {
                if (reader.Peek() == '"')
                {
                    reader.Read();
                    field.Append('"');
                    continue;
                }

                return;
            }

            if (c == '\n')
            {
                line++;
            }

            field.Append((char)c);
        }
    }
}
