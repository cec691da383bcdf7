using System;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class CampaignsAndScheduling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Quartz's job store tables, from the schema script inside the Quartz assembly (see Scheduling/QuartzSchema.cs).
            foreach (var statement in SendCraft.Web.Scheduling.QuartzSchema.Statements(mySql: true))
                migrationBuilder.Sql(statement);

            migrationBuilder.AddColumn<long>(
                name: "CampaignId",
                table: "OutboundMessages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ContactId",
                table: "OutboundMessages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "IsTest",
                table: "OutboundMessages",
                type: "tinyint(1)",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "PersonalizedPerRecipient",
                table: "MessageContents",
                type: "tinyint(1)",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Campaigns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySql:ValueGenerationStrategy", MySqlValueGenerationStrategy.IdentityColumn),
                    WorkspaceId = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "varchar(200)", maxLength: 200, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    Status = table.Column<string>(type: "varchar(16)", maxLength: 16, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    StatusReason = table.Column<string>(type: "varchar(1000)", maxLength: 1000, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TemplateId = table.Column<long>(type: "bigint", nullable: true),
                    Subject = table.Column<string>(type: "varchar(500)", maxLength: 500, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    HtmlBody = table.Column<string>(type: "longtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    TextBody = table.Column<string>(type: "longtext", nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    SmtpAccountId = table.Column<long>(type: "bigint", nullable: true),
                    RatePerMinute = table.Column<int>(type: "int", nullable: true),
                    ScheduledAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    TimeZoneId = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    CreatedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    PausedAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    ContentId = table.Column<long>(type: "bigint", nullable: true),
                    ExpansionCursor = table.Column<long>(type: "bigint", nullable: false),
                    ExpandedAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    NextDueAt = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    Expanded = table.Column<long>(type: "bigint", nullable: false),
                    SkippedSuppressed = table.Column<long>(type: "bigint", nullable: false),
                    SkippedUnsubscribed = table.Column<long>(type: "bigint", nullable: false),
                    SkippedInvalid = table.Column<long>(type: "bigint", nullable: false),
                    MissingVariables = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Campaigns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Campaigns_EmailTemplates_TemplateId",
                        column: x => x.TemplateId,
                        principalTable: "EmailTemplates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Campaigns_MessageContents_ContentId",
                        column: x => x.ContentId,
                        principalTable: "MessageContents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Campaigns_SmtpAccounts_SmtpAccountId",
                        column: x => x.SmtpAccountId,
                        principalTable: "SmtpAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Campaigns_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "CampaignLists",
                columns: table => new
                {
                    CampaignId = table.Column<long>(type: "bigint", nullable: false),
                    ListId = table.Column<long>(type: "bigint", nullable: false),
                    WorkspaceId = table.Column<long>(type: "bigint", nullable: false),
                    Excluded = table.Column<bool>(type: "tinyint(1)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CampaignLists", x => new { x.CampaignId, x.ListId });
                    table.ForeignKey(
                        name: "FK_CampaignLists_Campaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "Campaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CampaignLists_ContactLists_ListId",
                        column: x => x.ListId,
                        principalTable: "ContactLists",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_CampaignId_ContactId",
                table: "OutboundMessages",
                columns: new[] { "CampaignId", "ContactId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_CampaignId_Status",
                table: "OutboundMessages",
                columns: new[] { "CampaignId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_ContactId",
                table: "OutboundMessages",
                column: "ContactId");

            migrationBuilder.CreateIndex(
                name: "IX_CampaignLists_ListId",
                table: "CampaignLists",
                column: "ListId");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_ContentId",
                table: "Campaigns",
                column: "ContentId");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_SmtpAccountId",
                table: "Campaigns",
                column: "SmtpAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_Status",
                table: "Campaigns",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_TemplateId",
                table: "Campaigns",
                column: "TemplateId");

            migrationBuilder.CreateIndex(
                name: "IX_Campaigns_WorkspaceId_Id",
                table: "Campaigns",
                columns: new[] { "WorkspaceId", "Id" });

            migrationBuilder.AddForeignKey(
                name: "FK_OutboundMessages_Campaigns_CampaignId",
                table: "OutboundMessages",
                column: "CampaignId",
                principalTable: "Campaigns",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "FK_OutboundMessages_Contacts_ContactId",
                table: "OutboundMessages",
                column: "ContactId",
                principalTable: "Contacts",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Dependent tables first (reverse order of creation).
            foreach (var table in SendCraft.Web.Scheduling.QuartzSchema.Tables(mySql: true).Reverse())
                migrationBuilder.Sql($"DROP TABLE IF EXISTS {table};");

            migrationBuilder.DropForeignKey(
                name: "FK_OutboundMessages_Campaigns_CampaignId",
                table: "OutboundMessages");

            migrationBuilder.DropForeignKey(
                name: "FK_OutboundMessages_Contacts_ContactId",
                table: "OutboundMessages");

            migrationBuilder.DropTable(
                name: "CampaignLists");

            migrationBuilder.DropTable(
                name: "Campaigns");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_CampaignId_ContactId",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_CampaignId_Status",
                table: "OutboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_ContactId",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "CampaignId",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "ContactId",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "IsTest",
                table: "OutboundMessages");

            migrationBuilder.DropColumn(
                name: "PersonalizedPerRecipient",
                table: "MessageContents");
        }
    }
}
