using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.MySql
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
                type: "datetime(6)",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MessageStatsDaily",
                columns: table => new
                {
                    WorkspaceId = table.Column<long>(type: "bigint", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    CampaignId = table.Column<long>(type: "bigint", nullable: false),
                    SmtpAccountId = table.Column<long>(type: "bigint", nullable: false),
                    Sent = table.Column<long>(type: "bigint", nullable: false),
                    Deferred = table.Column<long>(type: "bigint", nullable: false),
                    Failed = table.Column<long>(type: "bigint", nullable: false),
                    Bounced = table.Column<long>(type: "bigint", nullable: false),
                    SoftBounced = table.Column<long>(type: "bigint", nullable: false),
                    Complaints = table.Column<long>(type: "bigint", nullable: false),
                    Opens = table.Column<long>(type: "bigint", nullable: false),
                    UniqueOpens = table.Column<long>(type: "bigint", nullable: false),
                    MachineOpens = table.Column<long>(type: "bigint", nullable: false),
                    Clicks = table.Column<long>(type: "bigint", nullable: false),
                    UniqueClicks = table.Column<long>(type: "bigint", nullable: false),
                    MachineClicks = table.Column<long>(type: "bigint", nullable: false),
                    Unsubscribes = table.Column<long>(type: "bigint", nullable: false),
                    Replies = table.Column<long>(type: "bigint", nullable: false)
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
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "MessageStatsHourly",
                columns: table => new
                {
                    WorkspaceId = table.Column<long>(type: "bigint", nullable: false),
                    BucketStart = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    CampaignId = table.Column<long>(type: "bigint", nullable: false),
                    SmtpAccountId = table.Column<long>(type: "bigint", nullable: false),
                    Sent = table.Column<long>(type: "bigint", nullable: false),
                    Deferred = table.Column<long>(type: "bigint", nullable: false),
                    Failed = table.Column<long>(type: "bigint", nullable: false),
                    Bounced = table.Column<long>(type: "bigint", nullable: false),
                    SoftBounced = table.Column<long>(type: "bigint", nullable: false),
                    Complaints = table.Column<long>(type: "bigint", nullable: false),
                    Opens = table.Column<long>(type: "bigint", nullable: false),
                    UniqueOpens = table.Column<long>(type: "bigint", nullable: false),
                    MachineOpens = table.Column<long>(type: "bigint", nullable: false),
                    Clicks = table.Column<long>(type: "bigint", nullable: false),
                    UniqueClicks = table.Column<long>(type: "bigint", nullable: false),
                    MachineClicks = table.Column<long>(type: "bigint", nullable: false),
                    Unsubscribes = table.Column<long>(type: "bigint", nullable: false),
                    Replies = table.Column<long>(type: "bigint", nullable: false)
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
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "RollupWatermarks",
                columns: table => new
                {
                    Source = table.Column<string>(type: "varchar(32)", maxLength: 32, nullable: false)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    LastId = table.Column<long>(type: "bigint", nullable: false),
                    PendingMaxId = table.Column<long>(type: "bigint", nullable: false),
                    PendingSince = table.Column<DateTime>(type: "datetime(6)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RollupWatermarks", x => x.Source);
                })
                .Annotation("MySql:CharSet", "utf8mb4");

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
