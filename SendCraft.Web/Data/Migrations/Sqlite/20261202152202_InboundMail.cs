using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InboundMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InboundMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    WorkspaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    MailFrom = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    RcptTo = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    FromAddress = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    FromName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 998, nullable: false),
                    MessageIdHeader = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    InReplyTo = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    OutboundMessageId = table.Column<long>(type: "INTEGER", nullable: true),
                    ReportedRecipient = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    ReportStatus = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    TextBody = table.Column<string>(type: "TEXT", nullable: true),
                    HtmlBody = table.Column<string>(type: "TEXT", nullable: true),
                    Headers = table.Column<string>(type: "TEXT", nullable: true),
                    Raw = table.Column<byte[]>(type: "BLOB", nullable: true),
                    RawSize = table.Column<int>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    IsRead = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InboundMessages_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UnroutedInboundMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    MailFrom = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    RcptTo = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    FromAddress = table.Column<string>(type: "TEXT", maxLength: 254, nullable: false),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 998, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Raw = table.Column<byte[]>(type: "BLOB", nullable: true),
                    RawSize = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UnroutedInboundMessages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboundAttachments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    WorkspaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    InboundMessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", maxLength: 127, nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundAttachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InboundAttachments_InboundMessages_InboundMessageId",
                        column: x => x.InboundMessageId,
                        principalTable: "InboundMessages",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_MessageId",
                table: "OutboundMessages",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_InboundAttachments_InboundMessageId",
                table: "InboundAttachments",
                column: "InboundMessageId");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_OutboundMessageId",
                table: "InboundMessages",
                column: "OutboundMessageId");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_WorkspaceId_Id",
                table: "InboundMessages",
                columns: new[] { "WorkspaceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_WorkspaceId_IsRead_Id",
                table: "InboundMessages",
                columns: new[] { "WorkspaceId", "IsRead", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_WorkspaceId_Kind_Id",
                table: "InboundMessages",
                columns: new[] { "WorkspaceId", "Kind", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_UnroutedInboundMessages_ReceivedAt",
                table: "UnroutedInboundMessages",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InboundAttachments");

            migrationBuilder.DropTable(
                name: "UnroutedInboundMessages");

            migrationBuilder.DropTable(
                name: "InboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_MessageId",
                table: "OutboundMessages");
        }
    }
}
