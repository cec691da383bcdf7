using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DashboardRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "BodyPurgedAt",
                table: "MessageContents",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MessageStatsDaily",
                columns: table => new
                {
                    WorkspaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CampaignId = table.Column<long>(type: "INTEGER", nullable: false),
                    SmtpAccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Sent = table.Column<long>(type: "INTEGER", nullable: false),
                    Deferred = table.Column<long>(type: "INTEGER", nullable: false),
                    Failed = table.Column<long>(type: "INTEGER", nullable: false),
                    Bounced = table.Column<long>(type: "INTEGER", nullable: false),
                    SoftBounced = table.Column<long>(type: "INTEGER", nullable: false),
                    Complaints = table.Column<long>(type: "INTEGER", nullable: false),
                    Opens = table.Column<long>(type: "INTEGER", nullable: false),
                    UniqueOpens = table.Column<long>(type: "INTEGER", nullable: false),
                    MachineOpens = table.Column<long>(type: "INTEGER", nullable: false),
                    Clicks = table.Column<long>(type: "INTEGER", nullable: false),
                    UniqueClicks = table.Column<long>(type: "INTEGER", nullable: false),
                    MachineClicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Unsubscribes = table.Column<long>(type: "INTEGER", nullable: false),
                    Replies = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageStatsDaily", x => new { x.WorkspaceId, x.BucketStart, x.CampaignId, x.SmtpAccountId });
                    table.ForeignKey(
                        name: "FK_MessageStatsDaily_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MessageStatsHourly",
                columns: table => new
                {
                    WorkspaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CampaignId = table.Column<long>(type: "INTEGER", nullable: false),
                    SmtpAccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Sent = table.Column<long>(type: "INTEGER", nullable: false),
                    Deferred = table.Column<long>(type: "INTEGER", nullable: false),
                    Failed = table.Column<long>(type: "INTEGER", nullable: false),
                    Bounced = table.Column<long>(type: "INTEGER", nullable: false),
                    SoftBounced = table.Column<long>(type: "INTEGER", nullable: false),
                    Complaints = table.Column<long>(type: "INTEGER", nullable: false),
                    Opens = table.Column<long>(type: "INTEGER", nullable: false),
                    UniqueOpens = table.Column<long>(type: "INTEGER", nullable: false),
                    MachineOpens = table.Column<long>(type: "INTEGER", nullable: false),
                    Clicks = table.Column<long>(type: "INTEGER", nullable: false),
                    UniqueClicks = table.Column<long>(type: "INTEGER", nullable: false),
                    MachineClicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Unsubscribes = table.Column<long>(type: "INTEGER", nullable: false),
                    Replies = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MessageStatsHourly", x => new { x.WorkspaceId, x.BucketStart, x.CampaignId, x.SmtpAccountId });
                    table.ForeignKey(
                        name: "FK_MessageStatsHourly_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "RollupWatermarks",
                columns: table => new
                {
                    Source = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    LastId = table.Column<long>(type: "INTEGER", nullable: false),
                    PendingMaxId = table.Column<long>(type: "INTEGER", nullable: false),
                    PendingSince = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RollupWatermarks", x => x.Source);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MessageContents_BodyPurgedAt_CreatedAt",
                table: "MessageContents",
                columns: new[] { "BodyPurgedAt", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MessageStatsDaily_WorkspaceId_CampaignId_BucketStart",
                table: "MessageStatsDaily",
                columns: new[] { "WorkspaceId", "CampaignId", "BucketStart" });

            migrationBuilder.CreateIndex(
                name: "IX_MessageStatsHourly_WorkspaceId_CampaignId_BucketStart",
                table: "MessageStatsHourly",
                columns: new[] { "WorkspaceId", "CampaignId", "BucketStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MessageStatsDaily");

            migrationBuilder.DropTable(
                name: "MessageStatsHourly");

            migrationBuilder.DropTable(
                name: "RollupWatermarks");

            migrationBuilder.DropIndex(
                name: "IX_MessageContents_BodyPurgedAt_CreatedAt",
                table: "MessageContents");

            migrationBuilder.DropColumn(
                name: "BodyPurgedAt",
                table: "MessageContents");
        }
    }
}
