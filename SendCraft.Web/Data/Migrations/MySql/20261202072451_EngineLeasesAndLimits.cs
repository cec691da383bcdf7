using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.MySql
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
                type: "varchar(64)",
                maxLength: 64,
                nullable: true)
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "AccountSendWindows",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    Period = table.Column<int>(type: "int", nullable: false),
                    WindowStart = table.Column<long>(type: "bigint", nullable: false),
                    Used = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccountSendWindows", x => new { x.AccountId, x.Period, x.WindowStart });
                })
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "SmtpConnectionSlots",
                columns: table => new
                {
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    Slot = table.Column<int>(type: "int", nullable: false),
                    Owner = table.Column<string>(type: "varchar(100)", maxLength: 100, nullable: true)
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    LeaseUntil = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SmtpConnectionSlots", x => new { x.AccountId, x.Slot });
                })
                .Annotation("MySql:CharSet", "utf8mb4");

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
