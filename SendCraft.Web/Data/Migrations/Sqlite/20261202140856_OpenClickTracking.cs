using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OpenClickTracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "TrackClicks",
                table: "MessageContents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TrackOpens",
                table: "MessageContents",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TrackClicks",
                table: "Campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "TrackOpens",
                table: "Campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "TrackedLinkSets",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    WorkspaceId = table.Column<long>(type: "INTEGER", nullable: false),
                    ContentId = table.Column<long>(type: "INTEGER", nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    UrlsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrackedLinkSets", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrackedLinkSets_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TrackedLinkSets_ContentId_MessageId",
                table: "TrackedLinkSets",
                columns: new[] { "ContentId", "MessageId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrackedLinkSets_WorkspaceId",
                table: "TrackedLinkSets",
                column: "WorkspaceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TrackedLinkSets");

            migrationBuilder.DropColumn(
                name: "TrackClicks",
                table: "MessageContents");

            migrationBuilder.DropColumn(
                name: "TrackOpens",
                table: "MessageContents");

            migrationBuilder.DropColumn(
                name: "TrackClicks",
                table: "Campaigns");

            migrationBuilder.DropColumn(
                name: "TrackOpens",
                table: "Campaigns");
        }
    }
}
