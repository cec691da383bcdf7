using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SendCraft.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CampaignProgressIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_CampaignId_Status",
                table: "OutboundMessages");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_CampaignId_Status_IsTest",
                table: "OutboundMessages",
                columns: new[] { "CampaignId", "Status", "IsTest" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboundMessages_CampaignId_Status_IsTest",
                table: "OutboundMessages");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_CampaignId_Status",
                table: "OutboundMessages",
                columns: new[] { "CampaignId", "Status" });
        }
    }
}
