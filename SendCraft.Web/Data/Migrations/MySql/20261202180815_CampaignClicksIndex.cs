using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class CampaignClicksIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MessageEvents_CampaignId_Type",
                table: "MessageEvents");

            migrationBuilder.CreateIndex(
                name: "IX_MessageEvents_CampaignId_Type_LinkIndex_IsMachine_IsUnique_W~",
                table: "MessageEvents",
                columns: new[] { "CampaignId", "Type", "LinkIndex", "IsMachine", "IsUnique", "WorkspaceId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MessageEvents_CampaignId_Type_LinkIndex_IsMachine_IsUnique_W~",
                table: "MessageEvents");

            migrationBuilder.CreateIndex(
                name: "IX_MessageEvents_CampaignId_Type",
                table: "MessageEvents",
                columns: new[] { "CampaignId", "Type" });
        }
    }
}
