namespace Emotion.Orleans.Training.Tests;

public sealed class DelimitedReaderTests
{
    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks()
    {
        var rows = DelimitedReader.Parse("a,\"b, c\",\"say \"\"hi\"\"\",\"line1\r\nline2\"\r\nx,y,z,w\r\n");

        Assert.Equal(2, rows.Count);
        Assert.Equal(["a", "b, c", "say \"hi\"", "line1\r\nline2"], rows[0]);
        Assert.Equal(["x", "y", "z", "w"], rows[1]);
    }

    [Fact]
    public void Empty_fields_and_quoted_empty_fields_are_empty_strings()
    {
        var rows = DelimitedReader.Parse(",\"\",\n");

        Assert.Equal(["", "", ""], Assert.Single(rows));
    }

    [Fact]
    public void Last_record_without_line_break_is_read_and_no_phantom_record_follows_a_final_break()
    {
        Assert.Equal(2, DelimitedReader.Parse("a,b\r\nc,d").Count);
        Assert.Equal(2, DelimitedReader.Parse("a,b\r\nc,d\r\n").Count);
        Assert.Equal(2, DelimitedReader.Parse("a,b\nc,d\n").Count);
    }

    [Fact]
    public void Typographic_characters_pass_through_unchanged()
    {
        var rows = DelimitedReader.Parse("1,\"You’re “here” — now…\",x\r\n");

        Assert.Equal("You’re “here” — now…", rows[0][1]);
    }

    [Fact]
    public void Quotes_inside_an_unquoted_field_are_literal()
    {
        Assert.Equal(["5\" tall", "b"], DelimitedReader.Parse("5\" tall,b")[0]);
    }

    [Fact]
    public void Tab_delimiter_reads_goemotions_style_quoted_text()
    {
        var rows = DelimitedReader.Parse("\"Three words, no subtlety. \"\"Dude.\"\" \"\t3\teetq9g0\nplain\t27\tx\n", '\t');

        Assert.Equal(["Three words, no subtlety. \"Dude.\" ", "3", "eetq9g0"], rows[0]);
        Assert.Equal(["plain", "27", "x"], rows[1]);
    }

    [Fact]
    public void Unclosed_quote_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => DelimitedReader.Parse("a,\"never closed\r\nb,c\r\n"));
    }

    [Fact]
    public void Text_after_a_closing_quote_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => DelimitedReader.Parse("\"ab\"c,d\r\n"));
    }

    [Fact]
    public void Byte_order_mark_is_skipped_when_reading_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'h', (byte)',', (byte)'x', (byte)'\r', (byte)'\n']);
            Assert.Equal(["h", "x"], Assert.Single(DelimitedReader.ReadFile(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
