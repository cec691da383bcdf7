using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace SendCraft.Web.Templating;

/// <summary>
/// Makes the text/plain part from HTML: block elements become line breaks, links become "text (url)", list items
/// become "- " (or "1. ") lines, script, style and head are skipped. Works on an HTML template too: Liquid tags are
/// swapped for HTML comments before parsing (comments stay where they are, whereas text inside a table would be
/// moved out of it by the HTML parser) and put back on output, so `{% for %}` stays around the rows it repeats.
/// </summary>
public static partial class HtmlToText
{
    private static readonly HashSet<string> Skipped = ["SCRIPT", "STYLE", "HEAD", "TITLE", "TEMPLATE", "NOSCRIPT", "svg"];
    private static readonly HashSet<string> Blocks =
    [
        "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "CENTER", "DD", "DIV", "DL", "DT", "FIELDSET", "FIGCAPTION", "FIGURE",
        "FOOTER", "FORM", "HEADER", "MAIN", "NAV", "SECTION", "TABLE", "TBODY", "THEAD", "TFOOT", "TR", "UL", "OL",
    ];
    private static readonly HashSet<string> Paragraphs = ["P", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "TABLE", "UL", "OL", "PRE"];

    // A parser is costly to set up and not documented as thread-safe: one per thread.
    private static readonly ThreadLocal<HtmlParser> Parser = new(() => new HtmlParser());

    public static string Convert(string html)
    {
        if (string.IsNullOrWhiteSpace(html)) return "";
        var liquid = new List<string>();
        var protectedHtml = LiquidTag().Replace(html, m =>
        {
            liquid.Add(m.Value);
            return $"<!--sc-liquid:{liquid.Count - 1}-->";
        });
        var document = Parser.Value!.ParseDocument(protectedHtml);
        var writer = new Writer(liquid);
        writer.Walk(document.Body ?? (INode)document.DocumentElement);
        return writer.ToString();
    }

    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex LiquidTag();

    [GeneratedRegex(@"<!--sc-liquid:(\d+)-->")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed class Writer(List<string> liquid)
    {
        private readonly StringBuilder _text = new();
        private int _newlines = 2;          // line breaks at the end of _text (2 at the start: nothing to separate)
        private bool _space;                // whitespace seen since the last word
        private int _preDepth;
        private readonly Stack<int> _lists = new(); // 0 for <ul>, else the next number of an <ol>

        public void Walk(INode node)
        {
            foreach (var child in node.ChildNodes) Visit(child);
        }

        private void Visit(INode node)
        {
            switch (node)
            {
                case IText text:
                    WriteText(text.Data);
                    break;
                case IComment comment when comment.Data.StartsWith("sc-liquid:", StringComparison.Ordinal):
                    var tag = liquid[int.Parse(comment.Data["sc-liquid:".Length..])];
                    if (tag.StartsWith("{%", StringComparison.Ordinal)) WriteTag(tag);
                    else WriteWord(tag); // {{ output }} is text like any word
                    break;
                case IElement element:
                    VisitElement(element);
                    break;
            }
        }

        private void VisitElement(IElement element)
        {
            var tag = element.TagName;
            if (Skipped.Contains(tag)) return;
            switch (tag)
            {
                case "BR":
                    NewLine(1, force: true);
                    return;
                case "HR":
                    NewLine(2);
                    WriteWord("----------------------------------------");
                    NewLine(2);
                    return;
                case "IMG":
                    return; // an image without its link says nothing in text; its alt text is often a logo name
                case "A":
                    VisitLink(element);
                    return;
                case "TD" or "TH":
                    if (_newlines == 0) WriteRaw(" ");
                    Walk(element);
                    _space = true;
                    return;
                case "LI":
                    NewLine(1);
                    var marker = "- ";
                    if (_lists.Count > 0 && _lists.Peek() > 0)
                    {
                        var n = _lists.Pop();
                        marker = $"{n}. ";
                        _lists.Push(n + 1);
                    }
                    WriteRaw(new string(' ', Math.Max(0, _lists.Count - 1) * 2) + marker);
                    _space = false;
                    Walk(element);
                    NewLine(1);
                    return;
                case "UL" or "OL":
                    NewLine(_lists.Count == 0 ? 2 : 1);
                    _lists.Push(tag == "OL" ? 1 : 0);
                    Walk(element);
                    _lists.Pop();
                    NewLine(_lists.Count == 0 ? 2 : 1);
                    return;
                case "PRE":
                    NewLine(2);
                    _preDepth++;
                    Walk(element);
                    _preDepth--;
                    NewLine(2);
                    return;
            }

            if (Paragraphs.Contains(tag))
            {
                NewLine(2);
                Walk(element);
                NewLine(2);
            }
            else if (Blocks.Contains(tag))
            {
                NewLine(1);
                Walk(element);
                NewLine(1);
            }
            else
            {
                Walk(element);
            }
        }

        private void VisitLink(IElement link)
        {
            var href = Restore(link.GetAttribute("href") ?? "").Trim();
            var before = _text.Length;
            Walk(link);
            var label = _text.ToString(before, _text.Length - before).Trim();
            var shown = href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href["mailto:".Length..] : href;
            if (href.Length == 0 || href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase)
                || string.Equals(label, shown, StringComparison.OrdinalIgnoreCase) || string.Equals(label, href, StringComparison.OrdinalIgnoreCase))
                return;
            _space = true;
            WriteWord(label.Length == 0 ? href : $"({shown})");
        }

        private string Restore(string value) => Placeholder().Replace(value, m => liquid[int.Parse(m.Groups[1].Value)]);

        private void WriteText(string data)
        {
            if (_preDepth > 0)
            {
                WriteRaw(data.Replace("\r\n", "\n"));
                _newlines = data.EndsWith('\n') ? 1 : 0;
                return;
            }
            if (data.Length > 0 && char.IsWhiteSpace(data[0])) _space = true;
            var words = Whitespace().Split(data.Trim());
            for (var i = 0; i < words.Length; i++)
            {
                if (words[i].Length == 0) continue;
                WriteWord(words[i]);
                _space = true;
            }
            if (data.Length == 0 || !char.IsWhiteSpace(data[^1])) _space = false;
        }

        private void WriteWord(string word)
        {
            if (_space && _newlines == 0 && _text.Length > 0 && _text[^1] != ' ') _text.Append(' ');
            _text.Append(word);
            _newlines = 0;
            _space = false;
        }

        /// <summary>
        /// A {% tag %} outputs nothing itself, so it takes no line of its own: it is written where it stands without
        /// counting as text, and the line breaks around it are decided by the elements alone. A loop over table rows
        /// then renders one line per row instead of a blank line between rows.
        /// </summary>
        private void WriteTag(string tag)
        {
            if (_space && _newlines == 0 && _text.Length > 0 && _text[^1] != ' ') _text.Append(' ');
            _text.Append(tag);
            _space = false;
        }

        private void WriteRaw(string s)
        {
            _text.Append(s);
            if (s.Length > 0) _newlines = 0;
        }

        /// <summary>Ends the current line so that at least <paramref name="count"/> line breaks (1: new line, 2: blank line) separate what follows.</summary>
        private void NewLine(int count, bool force = false)
        {
            if (force)
            {
                TrimTrailingSpaces();
                _text.Append('\n');
                _newlines = Math.Min(_newlines + 1, 2);
                _space = false;
                return;
            }
            if (_text.Length == 0) return;
            TrimTrailingSpaces();
            while (_newlines < count)
            {
                _text.Append('\n');
                _newlines++;
            }
            _space = false;
        }

        private void TrimTrailingSpaces()
        {
            while (_text.Length > 0 && _text[^1] == ' ') _text.Length--;
        }

        public override string ToString()
        {
            var lines = _text.ToString().Split('\n').Select(l => l.TrimEnd());
            var result = string.Join('\n', lines).Trim('\n');
            return Regex.Replace(result, "\n{3,}", "\n\n");
        }
    }
}
