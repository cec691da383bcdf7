using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Options;

namespace SendCraft.Web.Contacts.Import;

/// <summary>
/// Applies Contacts:Import:MaxUploadBytes to the upload request before its body is read: Kestrel's request size limit
/// and the multipart form limit (what [RequestSizeLimit] and [RequestFormLimits] do, but from configuration rather than a
/// constant in code that the documentation could disagree with). An authorization filter ordered before antiforgery
/// validation, which reads the form (as those two attributes' own filters are).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ImportUploadLimitAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    public int Order => 900;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        var max = http.RequestServices.GetRequiredService<IOptions<ImportOptions>>().Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = max;
        if (http.Features.Get<IFormFeature>()?.Form is null)
            http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = max }));
    }
}
