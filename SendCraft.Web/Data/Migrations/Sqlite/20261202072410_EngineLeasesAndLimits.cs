using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EngineLeasesAndLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SubmissionKey",
                table: "MessageContents",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AccountSendWindows",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Period = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Used = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountSendWindows", x => new { x.AccountId, x.Period, x.WindowStart });
                });

            migrationBuilder.CreateTable(
                name: "SmtpConnectionSlots",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slot = table.Column<int>(type: "INTEGER", nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    LeaseUntil = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SmtpConnectionSlots", x => new { x.AccountId, x.Slot });
                });

            migrationBuilder.CreateIndex(
                name: "IX_MessageContents_WorkspaceId_SubmissionKey",
                table: "MessageContents",
                columns: new[] { "WorkspaceId", "SubmissionKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SmtpConnectionSlots_Owner",
                table: "SmtpConnectionSlots",
                column: "Owner");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccountSendWindows");

            migrationBuilder.DropTable(
                name: "SmtpConnectionSlots");

            migrationBuilder.DropIndex(
                name: "IX_MessageContents_WorkspaceId_SubmissionKey",
                table: "MessageContents");

            migrationBuilder.DropColumn(
                name: "SubmissionKey",
                table: "MessageContents");
        }
    }
}
