using System.Collections.Concurrent;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Cryptography;
using SendCraft.Web.Data;
using SendCraft.Web.Unsubscribe;

namespace SendCraft.Web.Sending;

/// <summary>
/// Transmits one claimed batch: per SMTP account, up to MaxConnections connections work through the account's
/// messages in parallel, each message waiting for the account's rate and daily limits (<see cref="AccountThrottle"/>),
/// signed with its domain's DKIM key. Returns one result per message it tried; messages it never reached (shutdown,
/// or this instance's leases in doubt) get none and go back to the queue.
/// </summary>
public sealed class BatchSender(
    SmtpConnectionPool pool, SecretProtector secrets, AccountThrottle throttle, LeaseKeeper leases, Personalizer personalizer, CampaignGate campaigns, Tracking.MessageTracking tracking, UnsubscribeLinks unsubscribe, TimeProvider clock, ILogger<BatchSender> log,
    Inbound.InboundAddresses inboundAddresses)
{
    public async Task<List<DeliveryResult>> SendAsync(
        IReadOnlyList<OutboundMessage> batch, IReadOnlyDictionary<long, SmtpAccount> accounts, CancellationToken ct)
    {
        var results = new ConcurrentBag<DeliveryResult>();
        await Task.WhenAll(batch.GroupBy(m => m.SmtpAccountId).Select(async group =>
        {
            // Whatever goes wrong with one account, the results of messages already sent must reach the record step.
            try { await SendForAccountAsync(group.ToList(), accounts.GetValueOrDefault(group.Key), results, ct); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Sending through SMTP account {Account} failed; its messages without an outcome go back to the queue", group.Key);
            }
        }));
        return [.. results];
    }

    private async Task SendForAccountAsync(
        List<OutboundMessage> messages, SmtpAccount? account, ConcurrentBag<DeliveryResult> results, CancellationToken ct)
    {
        var now = Now;
        if (account is null || !account.IsActive || account.Domain is not { IsActive: true })
        {
            var why = SmtpOutcome.From(new InvalidOperationException("The SMTP account or its domain is inactive; the message waits until it is active again."));
            foreach (var m in messages) results.Add(new DeliveryResult(m, why, now, now, null));
            return;
        }

        SmtpEndpoint endpoint;
        DkimMessageSigner? signer;
        try
        {
            endpoint = SmtpEndpoint.For(account, secrets);
            signer = SignerFor(account.Domain);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // One line in the log, without a stack trace: the cause is configuration (SecretUnreadableException explains it).
            log.LogError("Cannot decrypt the secrets of SMTP account {Account}: {Reason}", account.Id, ex.Message);
            var why = new SmtpOutcome(OutcomeKind.Deferred, null,
                "The account's stored password or its domain's DKIM key cannot be decrypted: " + SecretUnreadableException.Reason +
                " Restore that certificate, or enter the password again; the messages wait until then.");
            foreach (var m in messages) results.Add(new DeliveryResult(m, why, now, now, null));
            return;
        }

        var queue = new ConcurrentQueue<OutboundMessage>(messages);
        var sender = MailboxAddress.Parse(account.FromEmail);
        var connections = Math.Min(account.MaxConnections, messages.Count);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => ConnectionLoopAsync(account, endpoint, signer, sender, queue, results, ct)));
    }

    /// <summary>The daily limit is used up: the rest waits for tomorrow without counting an attempt.</summary>
    private void PostponeToTomorrow(SmtpAccount account, OutboundMessage first, ConcurrentQueue<OutboundMessage> queue, ConcurrentBag<DeliveryResult> results)
    {
        var now = Now;
        var postponed = new SmtpOutcome(OutcomeKind.Deferred, null, $"Daily limit of {account.DailyLimit} messages reached; continues after midnight UTC.");
        results.Add(new DeliveryResult(first, postponed, now, now, null) { PostponeUntil = now.Date.AddDays(1) });
        while (queue.TryDequeue(out var m)) results.Add(new DeliveryResult(m, postponed, now, now, null) { PostponeUntil = now.Date.AddDays(1) });
    }

    private async Task ConnectionLoopAsync(
        SmtpAccount account, SmtpEndpoint endpoint, DkimMessageSigner? signer, MailboxAddress sender,
        ConcurrentQueue<OutboundMessage> queue, ConcurrentBag<DeliveryResult> results, CancellationToken ct)
    {
        while (!queue.IsEmpty && !ct.IsCancellationRequested && leases.HoldsLeases)
        {
            SmtpConnectionPool.Lease lease;
            var connectStarted = Now;
            try
            {
                lease = await pool.RentAsync(account.Id, account.MaxConnections, endpoint, ct);
            }
            catch (ConnectionSlotUnavailableException ex)
            {
                // A database problem, not the server's: the messages go back to the queue without an attempt.
                log.LogWarning(ex, "SMTP account {Account}: the rest of its batch goes back to the queue", account.Id);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // The server cannot be reached or refuses us: every message still waiting here is deferred with that reason.
                var outcome = SmtpOutcome.From(ex);
                log.LogWarning("SMTP account {Account}: cannot connect: {Reason}", account.Id, outcome.Response);
                while (queue.TryDequeue(out var m)) results.Add(new DeliveryResult(m, outcome, connectStarted, Now, null));
                return;
            }
            catch (OperationCanceledException) { return; }

            var bodies = new Dictionary<long, MimeEntity>(); // this connection's own: see MimeBuilder.Build
            var bodySizes = new Dictionary<MimeEntity, long>(ReferenceEqualityComparer.Instance);
            await using (lease)
            {
                while (!ct.IsCancellationRequested && queue.TryDequeue(out var message))
                {
                    try
                    {
                        // A paused or cancelled campaign's message stays unsent (no outcome): it is set aside after the batch.
                        if (message is { CampaignId: { } campaignId, IsTest: false } && !await campaigns.MaySendAsync(campaignId, ct)) continue;
                        if (!await throttle.WaitAsync(account, queue.Count + 1, ct))
                        {
                            PostponeToTomorrow(account, message, queue, results);
                            return;
                        }
                    }
                    catch (OperationCanceledException) { return; } // not sent: goes back to the queue
                    catch (Exception ex)
                    {
                        log.LogWarning(ex, "SMTP account {Account}: its limits could not be checked in the database; the rest of its batch goes back to the queue", account.Id);
                        return;
                    }
                    // Checked right before transmission (the wait for the rate limit can be long): while this instance's
                    // leases are in doubt another instance may take the row, so it is left unsent and goes back to the queue.
                    if (!leases.HoldsLeases) return;
                    var started = Now;
                    string? headers = null;
                    try
                    {
                        var content = message.Content!.PersonalizedPerRecipient ? await personalizer.RenderAsync(message, message.Content) : message.Content;
                        content = await tracking.ApplyAsync(message, content, ct);
                        var mime = MimeBuilder.Build(message, content, clock.GetUtcNow(), bodies);
                        unsubscribe.AddHeaders(mime, message); // List-Unsubscribe (RFC 8058), before signing: DKIM covers it
                        inboundAddresses.AddCampaignReplyTo(mime, message); // replies to the Inbox, also signed
                        signer?.Sign(mime, DkimKeys.SignedHeaders, clock.GetUtcNow());
                        headers = HeaderText(mime);
                        if (TooLarge(lease.Connection, headers, mime.Body!, bodySizes) is { } tooLarge)
                        {
                            results.Add(new DeliveryResult(message, tooLarge, started, Now, headers));
                            continue;
                        }
                        var response = await lease.Connection.SendAsync(mime, inboundAddresses.ReturnPathFor(message, sender), [MailboxAddress.Parse(message.Recipient)], ct);
                        results.Add(new DeliveryResult(message, SmtpOutcome.Sent(response), started, Now, headers));
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        lease.Broken = true; // outcome unknown: the row stays leased and is released for a retry
                        return;
                    }
                    catch (SmtpCommandException ex) when (ex.StatusCode != SmtpStatusCode.ServiceNotAvailable)
                    {
                        // The server answered about this message; the connection itself is still good.
                        results.Add(new DeliveryResult(message, SmtpOutcome.From(ex), started, Now, headers));
                    }
                    catch (Exception ex)
                    {
                        results.Add(new DeliveryResult(message, SmtpOutcome.From(ex), started, Now, headers));
                        lease.Broken = true;
                        break; // a fresh connection for the rest
                    }
                }
            }
        }
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>
    /// The server's SIZE limit, checked here because the pool drops the SIZE capability (see SmtpConnectionPool):
    /// a message over it fails at once, as the server would have refused it (RFC 1870: 552).
    /// </summary>
    private static readonly FormatOptions WireFormat = CreateWireFormat();

    /// <summary>As the message goes over SMTP: CRLF line ends (the default format writes the platform's, LF here).</summary>
    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    private static SmtpOutcome? TooLarge(SmtpClient client, string headers, MimeEntity body, Dictionary<MimeEntity, long> bodySizes)
    {
        if (client.MaxSize == 0) return null;
        if (!bodySizes.TryGetValue(body, out var bodySize))
        {
            using var measure = new MimeKit.IO.MeasuringStream();
            body.WriteTo(WireFormat, measure);
            bodySizes[body] = bodySize = measure.Length;
        }
        var size = System.Text.Encoding.UTF8.GetByteCount(headers) + 2 + bodySize;
        return size <= client.MaxSize ? null : new SmtpOutcome(OutcomeKind.Failed, 552,
            $"Not sent: the message is {size:N0} bytes and the server accepts at most {client.MaxSize:N0} (its SIZE limit).");
    }

    // Decrypting the key and loading it costs tens of milliseconds, far more than a batch's signatures would need per
    // message, so a signer lives as long as its key. Keyed by the encrypted key itself: a new key makes a new entry
    // (old entries stay until restart; there are as many as keys ever used, a handful).
    private readonly ConcurrentDictionary<(string ProtectedKey, string Domain, string Selector), DkimMessageSigner> _signers = new();

    private DkimMessageSigner? SignerFor(SendingDomain domain) =>
        string.IsNullOrEmpty(domain.DkimPrivateKeyProtected)
            ? null
            : _signers.GetOrAdd((domain.DkimPrivateKeyProtected, domain.Name, domain.DkimSelector),
                key => DkimKeys.CreateSigner(secrets.Unprotect(key.ProtectedKey), key.Domain, key.Selector));

    internal static string HeaderText(MimeMessage message)
    {
        using var buffer = new MemoryStream();
        message.Headers.WriteTo(FormatOptions.Default, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
