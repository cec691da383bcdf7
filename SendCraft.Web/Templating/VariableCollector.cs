using Fluid;
using Fluid.Ast;
using Fluid.Parser;

namespace SendCraft.Web.Templating;

/// <summary>
/// Walks a parsed template and lists the variables it reads from its model: root names ("first_name") and
/// dotted paths ("order.total"). Names the template binds itself are left out: loop variables inside their loop
/// (plus forloop), and names set by assign, capture, increment or decrement from that point on.
/// Also collects the filter names used, so unknown ones can be pointed out (Fluid ignores them at render time).
/// </summary>
internal sealed class VariableCollector : AstVisitor
{
    // Liquid's own names and the array/string built-ins that look like members.
    private static readonly HashSet<string> BuiltIns = ["forloop", "tablerowloop", "empty", "blank", "nil", "null", "true", "false"];
    private static readonly HashSet<string> BuiltInMembers = ["size", "first", "last"];

    private readonly List<string> _locals = [];          // a stack: loop variables are popped at the loop's end
    private readonly SortedSet<string> _variables = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _filters = new(StringComparer.Ordinal);

    public static (IReadOnlyList<string> Variables, IReadOnlyList<string> Filters) Collect(IFluidTemplate template)
    {
        var collector = new VariableCollector();
        collector.VisitTemplate(template);
        // "order" is implied by "order.total": list a root alone only when it is used alone.
        var all = collector._variables;
        var variables = all.Where(v => !all.Any(other => other.Length > v.Length && other.StartsWith(v + ".", StringComparison.Ordinal))).ToList();
        return (variables, collector._filters.ToList());
    }

    protected override Statement VisitForStatement(ForStatement forStatement)
    {
        if (forStatement.Source is not null) Visit(forStatement.Source);
        if (forStatement.Range is not null) Visit(forStatement.Range);
        if (forStatement.Limit is not null) Visit(forStatement.Limit);
        if (forStatement.Offset is not null) Visit(forStatement.Offset);
        _locals.Add(forStatement.Identifier);
        foreach (var statement in forStatement.Statements) Visit(statement);
        _locals.RemoveAt(_locals.Count - 1);
        if (forStatement.Else is not null) Visit(forStatement.Else);
        return forStatement;
    }

    protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
    {
        if (tableRowStatement.Source is not null) Visit(tableRowStatement.Source);
        if (tableRowStatement.Limit is not null) Visit(tableRowStatement.Limit);
        if (tableRowStatement.Offset is not null) Visit(tableRowStatement.Offset);
        if (tableRowStatement.Cols is not null) Visit(tableRowStatement.Cols);
        _locals.Add(tableRowStatement.Identifier);
        foreach (var statement in tableRowStatement.Statements) Visit(statement);
        _locals.RemoveAt(_locals.Count - 1);
        return tableRowStatement;
    }

    protected override Statement VisitAssignStatement(AssignStatement assignStatement)
    {
        Visit(assignStatement.Value);
        _locals.Insert(0, assignStatement.Identifier); // assigned names stay defined to the end of the template
        return assignStatement;
    }

    protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
    {
        foreach (var statement in captureStatement.Statements) Visit(statement);
        _locals.Insert(0, captureStatement.Identifier);
        return captureStatement;
    }

    protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
    {
        _locals.Insert(0, incrementStatement.Identifier);
        return incrementStatement;
    }

    protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
    {
        _locals.Insert(0, decrementStatement.Identifier);
        return decrementStatement;
    }

    protected override Expression VisitFilterExpression(FilterExpression filterExpression)
    {
        _filters.Add(filterExpression.Name);
        return base.VisitFilterExpression(filterExpression);
    }

    protected override Expression VisitMemberExpression(MemberExpression memberExpression)
    {
        var segments = memberExpression.Segments;
        if (segments.Count > 0 && segments[0] is IdentifierSegment root && !BuiltIns.Contains(root.Identifier) && !_locals.Contains(root.Identifier))
        {
            var path = root.Identifier;
            for (var i = 1; i < segments.Count; i++)
            {
                // Follow plain members and literal keys (order["total"]); stop at computed indexes and built-ins.
                var name = segments[i] switch
                {
                    IdentifierSegment id => id.Identifier,
                    IndexerSegment { Expression: LiteralExpression literal } when literal.Value.Type == Fluid.Values.FluidValues.String => literal.Value.ToStringValue(),
                    _ => null,
                };
                if (name is null || BuiltInMembers.Contains(name)) break;
                path += "." + name;
            }
            _variables.Add(path);
        }
        return base.VisitMemberExpression(memberExpression);
    }
}
